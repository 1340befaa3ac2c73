import { KeyList } from "./components/KeyList";

export default function Command() {
  return <KeyList />;
}
