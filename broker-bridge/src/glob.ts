// Shell-style globs for pipeline and step names in the config: "*" is any run of characters,
// "?" one character; everything else matches itself.

export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (const ch of glob) {
    if (ch === "*") source += ".*";
    else if (ch === "?") source += ".";
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

export function globMatch(glob: string, text: string): boolean {
  return globToRegExp(glob).test(text);
}
