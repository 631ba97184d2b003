import { fakeGetResetReason } from "./io";
export default fakeGetResetReason;
