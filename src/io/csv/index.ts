export { RecordSplitter, separatorByte, type OnRecord, type Splitter } from "./splitter.js";
export { detectSeparator, parseCsvRecord, splitCsvRecord, type CsvFields } from "./record.js";
