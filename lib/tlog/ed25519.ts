/**
 * Ed25519 verification through WebCrypto, which Node 22 and current browsers both provide, so
 * /verify, the standalone verifier and the server share one implementation without a dependency.
 */
const PUBLIC_KEY_LENGTH = 32;
const SIGNATURE_LENGTH = 64;

function subtle(): SubtleCrypto {
  const api = globalThis.crypto?.subtle;
  if (!api) {
    throw new Error(
      "Ed25519 verification needs WebCrypto (crypto.subtle), which browsers offer only on secure pages (https or localhost)",
    );
  }
  return api;
}

/** Whether `signature` is a valid Ed25519 signature of `message` under the raw 32-byte key. */
export async function verifyEd25519(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const api = subtle();
  if (publicKey.length !== PUBLIC_KEY_LENGTH || signature.length !== SIGNATURE_LENGTH) return false;
  // Copies: WebCrypto wants ArrayBuffer-backed views, and a caller's view may be a subarray.
  let key: CryptoKey;
  try {
    key = await api.importKey("raw", new Uint8Array(publicKey), "Ed25519", false, ["verify"]);
  } catch (error) {
    // Said plainly: otherwise every signature would look forged in a browser without Ed25519.
    if ((error as Error).name === "NotSupportedError") {
      throw new Error(
        "this browser's WebCrypto has no Ed25519; use Chrome 137, Firefox 129, Safari 17 or later",
      );
    }
    return false; // 32 bytes that are not a point on the curve verify nothing
  }
  return api.verify("Ed25519", key, new Uint8Array(signature), new Uint8Array(message));
}
