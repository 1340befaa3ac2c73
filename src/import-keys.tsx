import { ImportKeys } from "./components/ImportKeys";

export default function Command() {
  return <ImportKeys />;
}
