/**
 * Writes a small MaxMind DB (format 2.0, https://maxmind.github.io/MaxMind-DB/) of IPv4 networks
 * to countries, so GeoIP is tested through the real reader on a real file. Only what a country
 * database needs: a binary search tree with 24-bit records, maps, strings and unsigned integers.
 */

type Node = { children: [Node | string | undefined, Node | string | undefined] };

function control(type: number, size: number): Buffer {
  if (size >= 29) throw new Error("sizes of 29 and more are not needed here");
  // Types above 7 are "extended": type 0 in the control byte, type - 7 in the next one.
  return type <= 7 ? Buffer.from([(type << 5) | size]) : Buffer.from([size, type - 7]);
}

function encodeValue(value: unknown): Buffer {
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([control(2, bytes.length), bytes]);
  }
  if (typeof value === "number" || typeof value === "bigint") {
    let n = BigInt(value);
    const bytes: number[] = [];
    while (n > 0n) {
      bytes.unshift(Number(n & 0xffn));
      n >>= 8n;
    }
    // uint16 (5), uint32 (6), uint64 (9): the smallest that holds the value.
    const type = bytes.length <= 2 ? 5 : bytes.length <= 4 ? 6 : 9;
    return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
  }
  if (Array.isArray(value)) {
    return Buffer.concat([control(11, value.length), ...value.map(encodeValue)]);
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    return Buffer.concat([
      control(7, entries.length),
      ...entries.flatMap(([k, v]) => [encodeValue(k), encodeValue(v)]),
    ]);
  }
  throw new Error(`cannot encode ${String(value)}`);
}

function record24(value: number): Buffer {
  return Buffer.from([(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff]);
}

/** A country database: `{ "192.0.2.0/24": "DE" }` answers DE for 192.0.2.*, nothing elsewhere. */
export function countryMmdb(networks: Record<string, string>): Buffer {
  const root: Node = { children: [undefined, undefined] };
  for (const [cidr, country] of Object.entries(networks)) {
    const [address, bitsText] = cidr.split("/");
    const bits = Number(bitsText);
    const octets = (address ?? "").split(".").map(Number);
    const ip = octets.reduce((n, o) => n * 256 + o, 0);
    let node = root;
    for (let depth = 0; depth < bits; depth++) {
      const bit = Math.floor(ip / 2 ** (31 - depth)) % 2;
      if (depth === bits - 1) {
        node.children[bit] = country;
      } else {
        const next = node.children[bit];
        if (typeof next === "string") throw new Error(`${cidr} overlaps a shorter network`);
        node.children[bit] = next ?? { children: [undefined, undefined] };
        node = node.children[bit] as Node;
      }
    }
  }

  // Number the nodes breadth-first (the root is node 0), and lay out one record per country.
  const nodes: Node[] = [];
  for (let queue = [root]; queue.length > 0; ) {
    const node = queue.shift() as Node;
    nodes.push(node);
    for (const child of node.children) if (child && typeof child !== "string") queue.push(child);
  }
  const dataOffsets = new Map<string, number>();
  const data: Buffer[] = [];
  let dataSize = 0;
  for (const country of new Set(Object.values(networks))) {
    const encoded = encodeValue({ country: { iso_code: country } });
    dataOffsets.set(country, dataSize);
    data.push(encoded);
    dataSize += encoded.length;
  }
  const nodeCount = nodes.length;
  const index = new Map(nodes.map((n, i) => [n, i]));
  const tree = nodes.map((node) =>
    Buffer.concat(
      node.children.map((child) =>
        record24(
          child === undefined
            ? nodeCount // "no data"
            : typeof child === "string"
              ? nodeCount + 16 + (dataOffsets.get(child) as number)
              : (index.get(child) as number),
        ),
      ),
    ),
  );
  const metadata = encodeValue({
    node_count: nodeCount,
    record_size: 24,
    ip_version: 4,
    database_type: "Prizeledger-Test-Country",
    languages: ["en"],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: Math.floor(Date.now() / 1000),
    description: { en: "Test country database" },
  });
  return Buffer.concat([
    ...tree,
    Buffer.alloc(16),
    ...data,
    Buffer.from("abcdef4d61784d696e642e636f6d", "hex"),
    metadata,
  ]);
}
