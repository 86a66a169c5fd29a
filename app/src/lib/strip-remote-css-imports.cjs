// webpack loader: drops `@import url(https://…)` from a stylesheet (the wallet adapter's styles
// import a Google font; the app uses local/system fonts only and fetches nothing at run time).
module.exports = function stripRemoteCssImports(source) {
  return source.replace(/@import\s+url\(\s*['"]?https?:\/\/[^)]*\)\s*;?/g, "");
};
