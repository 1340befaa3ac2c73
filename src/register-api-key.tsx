import { useState } from "react";
import { KeyStatusView } from "./components/KeyStatusView";
import { RegisterForm } from "./components/RegisterForm";
import type { Registration } from "./lib/keys";

export default function Command() {
  // Once saved, the form gives way to the status it produced.
  const [registered, setRegistered] = useState<Registration>();
  return registered ? <KeyStatusView registered={registered} /> : <RegisterForm onRegistered={setRegistered} />;
}
