// node:fs for laclip's tokenizer in the browser: the page passes merges it fetched, so files are never read here.
const unavailable = (name) => () => {
  throw new Error(`${name} is not available in the browser; fetch the file and parse it instead`);
};
export const readFileSync = unavailable("readFileSync");
export const renameSync = unavailable("renameSync");
export const writeFileSync = unavailable("writeFileSync");
