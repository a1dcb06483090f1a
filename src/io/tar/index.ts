export { TarReader, type TarMember, type TarReaderOptions } from "./reader.js";
export { parseTarHeader, parsePax, type TarHeader } from "./header.js";
