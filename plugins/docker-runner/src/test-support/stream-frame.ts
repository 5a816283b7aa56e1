/**
 * One frame of Docker's multiplexed attach stream: an 8-byte header (stream type 1 = stdout,
 * 2 = stderr; payload length, big-endian, in bytes 4–7) followed by `text`.
 */
export function streamFrame(type: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}
