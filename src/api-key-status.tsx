import { KeyStatusView } from "./components/KeyStatusView";

export default function Command() {
  return <KeyStatusView />;
}
