// The self-signed server certificate go-plugin's AutoMTLS requires. Node can make keys but not
// certificates; a library (node-forge, @peculiar/x509) costs 50-300 ms of start-up per provider process,
// so this writes the few DER structures of one ECDSA P-256 certificate by hand. go-plugin's own
// certificates have the same shape: CN and SAN "localhost", CA, server+client auth.
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";

export interface ServerCertificate {
  /** DER bytes: what goes, base64 without padding, into the handshake line. */
  der: Buffer;
  certPem: string;
  keyPem: string;
}

// ---- minimal DER writer ---------------------------------------------------------------------------

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};
const sequence = (...items: Buffer[]) => tlv(0x30, ...items);
const set = (...items: Buffer[]) => tlv(0x31, ...items);
const explicit = (n: number, inner: Buffer) => tlv(0xa0 + n, inner);
const octetString = (inner: Buffer) => tlv(0x04, inner);
const bitString = (bytes: Buffer, unusedBits = 0) => tlv(0x03, Buffer.from([unusedBits]), bytes);
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, "utf8"));
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));

function integer(bytes: Buffer): Buffer {
  // DER integers are signed: keep them positive with a leading zero when the top bit is set.
  return tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function utcTime(d: Date): Buffer {
  // UTCTime (YYMMDDHHMMSSZ) is the DER form for dates before 2050.
  const iso = d.toISOString(); // 2026-11-23T07:21:49.123Z
  const s = iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + "Z";
  return tlv(0x17, Buffer.from(s, "ascii"));
}

// ---- the certificate ------------------------------------------------------------------------------

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
};

const extension = (id: string, critical: boolean, value: Buffer) => sequence(oid(id), ...(critical ? [bool(true)] : []), octetString(value));

/** A fresh key and a certificate for `localhost`, valid from a minute ago for `days` days. */
export function createServerCertificate(days = 30): ServerCertificate {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const name = sequence(set(sequence(oid(OID.commonName), utf8("localhost"))));
  const now = Date.now();
  const serial = randomBytes(16);
  serial[0]! &= 0x7f; // positive and non-zero-length; Go rejects negative serials
  serial[0]! |= 0x01;
  const signatureAlgorithm = sequence(oid(OID.ecdsaWithSha256));

  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // X.509 v3
    integer(serial),
    signatureAlgorithm,
    name,
    sequence(utcTime(new Date(now - 60_000)), utcTime(new Date(now + days * 86_400_000))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    explicit(
      3,
      sequence(
        extension(OID.subjectAltName, false, sequence(tlv(0x82, Buffer.from("localhost", "ascii")))), // dNSName
        extension(OID.basicConstraints, true, sequence(bool(true))),
        extension(OID.keyUsage, true, bitString(Buffer.from([0x84]), 2)), // digitalSignature, keyCertSign
        extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth), oid(OID.clientAuth))),
      ),
    ),
  );
  const signature = sign("sha256", tbs, privateKey); // DER-encoded ECDSA signature, as X.509 wants
  const der = sequence(tbs, signatureAlgorithm, bitString(signature));

  const certPem = `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/.{64}/g, "$&\n").trimEnd()}\n-----END CERTIFICATE-----\n`;
  const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return { der, certPem, keyPem };
}

/** Base64 without padding (Go's RawStdEncoding), as go-plugin expects in the handshake line. */
export const rawBase64 = (der: Buffer): string => der.toString("base64").replace(/=+$/, "");
