// The bridge's version, reported in its online status and in `shipgate --version`.
export const VERSION = "0.1.0";
