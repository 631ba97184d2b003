import { FakePreference } from "./io";
export default FakePreference;
