/**
 * Tar bytes built by hand, including what no honest writer produces (negative or non-numeric sizes, bogus pax
 * records), for tests of the tar reader against hostile archives.
 */

/** One 512-byte header; `size` is written as given (octal digits or any text), the checksum made valid. */
export function tarHeader(name: string, size: string | number, type = "0"): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, "utf8");
  h.write("0000644\0", 100, "latin1");
  h.write("0000000\0", 108, "latin1");
  h.write("0000000\0", 116, "latin1");
  h.write(typeof size === "number" ? size.toString(8).padStart(11, "0") + "\0" : size, 124, 12, "latin1");
  h.write("00000000000\0", 136, "latin1");
  h.write(type, 156, "latin1");
  h.write("ustar\0" + "00", 257, "latin1");
  h.fill(32, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "latin1");
  return h;
}

/** A member body padded to whole blocks. */
export function tarBody(data: string | Buffer): Buffer {
  const b = typeof data === "string" ? Buffer.from(data) : data;
  return Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);
}

/** A pax record "LEN key=value\n" with its own length in front. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len++;
  return `${len}${body}`;
}

export function member(name: string, data: string | Buffer, type = "0"): Buffer {
  const b = typeof data === "string" ? Buffer.from(data) : data;
  return Buffer.concat([tarHeader(name, b.length, type), tarBody(b)]);
}

export const END = Buffer.alloc(1024);

/** The 30 KB archive: a pax header with size=-512, then a pax global header, then sample members. */
export function negativePaxTar(): Buffer {
  const pax = paxRecord("size", "-512");
  const parts = [member("000000000.jpg", "x".repeat(100)), member("000000000.txt", "a caption")];
  parts.push(member("PaxHeaders/000000001.jpg", pax, "x"), member("GlobalHead", paxRecord("comment", "hi"), "g"));
  for (let i = 1; i < 12; i++) parts.push(member(`0000000${String(i).padStart(2, "0")}.jpg`, "y".repeat(1000)), member(`0000000${String(i).padStart(2, "0")}.txt`, "cap"));
  parts.push(END);
  return Buffer.concat(parts);
}
