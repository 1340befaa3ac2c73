import { useState } from "react";
import { KeyStatusView } from "./components/KeyStatusView";
import { RegisterForm } from "./components/RegisterForm";

export default function Command() {
  // Once saved, the form gives way to the status it produced.
  const [registered, setRegistered] = useState(false);
  return registered ? <KeyStatusView /> : <RegisterForm onRegistered={() => setRegistered(true)} />;
}
