import { readFileSync } from "node:fs";

/** Web Crypto's name for the signature algorithm of commands (supported by Bun 1.4's crypto.subtle). */
export const ED25519 = { name: "Ed25519" } as const;

/** A private key the orchestrator signs commands with, and the id drivers know it by. */
export interface SigningKey {
  keyId: string;
  key: CryptoKey;
}

/** A public key a driver accepts commands from. */
export interface TrustKey {
  keyId: string;
  key: CryptoKey;
}

/** A new key pair as PEM texts (PKCS#8 private, SPKI public) and its key id. */
export interface GeneratedKeyPair {
  keyId: string;
  privatePem: string;
  publicPem: string;
}

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64url");

/** PEM armour around DER bytes. */
export function toPem(label: "PRIVATE KEY" | "PUBLIC KEY", der: ArrayBuffer): string {
  const body = Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** DER bytes out of a PEM text; throws naming the label it expected. */
export function fromPem(label: "PRIVATE KEY" | "PUBLIC KEY", pem: string): Uint8Array<ArrayBuffer> {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  if (!match) throw new Error(`not a PEM "${label}" (expected -----BEGIN ${label}-----)`);
  return new Uint8Array(Buffer.from(match[1]!.replace(/\s+/g, ""), "base64"));
}

/** The key id of a raw 32-byte Ed25519 public key: the first 16 hex digits of its SHA-256. */
export async function keyIdOf(rawPublicKey: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", rawPublicKey);
  return Buffer.from(digest).toString("hex").slice(0, 16);
}

/** Makes a fresh Ed25519 key pair. */
export async function generateKeyPair(): Promise<GeneratedKeyPair> {
  const pair = (await crypto.subtle.generateKey(ED25519, true, ["sign", "verify"])) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return {
    keyId: await keyIdOf(raw),
    privatePem: toPem("PRIVATE KEY", await crypto.subtle.exportKey("pkcs8", pair.privateKey)),
    publicPem: toPem("PUBLIC KEY", await crypto.subtle.exportKey("spki", pair.publicKey)),
  };
}

/** Imports a PKCS#8 PEM Ed25519 private key; its key id comes from the public half. */
export async function importSigningKey(pem: string): Promise<SigningKey> {
  const der = fromPem("PRIVATE KEY", pem);
  const extractable = await crypto.subtle.importKey("pkcs8", der, ED25519, true, ["sign"]);
  // The public key is in the JWK export of the private one (`x`).
  const jwk = await crypto.subtle.exportKey("jwk", extractable);
  if (typeof jwk.x !== "string") throw new Error("the private key has no public half");
  const key = await crypto.subtle.importKey("pkcs8", der, ED25519, false, ["sign"]);
  return { keyId: await keyIdOf(new Uint8Array(Buffer.from(jwk.x, "base64url"))), key };
}

/** Imports an SPKI PEM Ed25519 public key. */
export async function importTrustKey(pem: string): Promise<TrustKey> {
  const key = await crypto.subtle.importKey("spki", fromPem("PUBLIC KEY", pem), ED25519, true, ["verify"]);
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", key));
  return { keyId: await keyIdOf(raw), key };
}

/** Reads and imports a signing key file; the error names the file and what is wrong with it. */
export async function loadSigningKey(path: string): Promise<SigningKey> {
  try {
    return await importSigningKey(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`signing key ${path}: ${(err as Error).message}`);
  }
}

/** Reads and imports trust key files (several for a rotation); the error names the file. */
export async function loadTrustKeys(paths: readonly string[]): Promise<TrustKey[]> {
  const keys: TrustKey[] = [];
  for (const path of paths) {
    try {
      keys.push(await importTrustKey(readFileSync(path, "utf8")));
    } catch (err) {
      throw new Error(`trust key ${path}: ${(err as Error).message}`);
    }
  }
  return keys;
}

/** Base64url of a signature or MAC. */
export const encodeSignature = (bytes: ArrayBuffer | Uint8Array): string => b64url(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
