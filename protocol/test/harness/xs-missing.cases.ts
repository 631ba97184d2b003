// Cases that Node 20 runs and XS 13.3 cannot, next to ones both run: the harness must tell them apart.
export default {
  toSorted: () => [3, 1, 2].toSorted(),
  isWellFormed: () => "text".isWellFormed(),
  findLastIndex: () => [1, 2, 3].findLastIndex((n) => n < 3),
  throws: () => {
    throw new RangeError("case says no");
  },
  asyncValue: () => Promise.resolve({ later: [1, "two"] }),
  neverSettles: () => new Promise(() => {}),
};
