// node:zlib for laclip's tokenizer in the browser: an export's merges.txt is plain text, never gzip.
const unavailable = (name) => () => {
  throw new Error(`${name} is not available in the browser`);
};
export const gunzipSync = unavailable("gunzipSync");
export const gzipSync = unavailable("gzipSync");
