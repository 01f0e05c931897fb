/** An error and the errors it wraps (kafkajs puts the first one in `cause` or `originalError`). */
function chain(err: unknown): { name: string; message: string }[] {
  const out: { name: string; message: string }[] = [];
  let current = err as { name?: string; message?: string; cause?: unknown; originalError?: unknown } | undefined;
  for (let depth = 0; current && typeof current === "object" && depth < 5; depth++) {
    out.push({ name: String(current.name ?? ""), message: String(current.message ?? "") });
    current = (current.cause ?? current.originalError) as typeof current;
  }
  return out;
}

const TLS_REFUSED = /unable to verify|self[- ]signed certificate|certificate has expired|not yet valid|does not match certificate|altnames|unable to get (local )?issuer|certificate verify failed|wrong version number|UNABLE_TO_VERIFY|DEPTH_ZERO_SELF_SIGNED|CERT_/i;

/**
 * Why connecting to Kafka can never succeed by waiting, or null when retrying may help (a
 * broker not up yet). Refused SASL credentials, a SASL mechanism the broker does not offer and
 * a TLS certificate this node does not trust are configuration mistakes: the node stops at
 * once with a message naming the settings to fix, instead of retrying for KAFKA_WAIT_S.
 */
export function fatalKafkaError(err: unknown): string | null {
  for (const { name, message } of chain(err)) {
    if (name === "KafkaJSSASLAuthenticationError" || /SASL .*authentication failed/i.test(message)) {
      return `Kafka refused this node's SASL login (${message}): check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`;
    }
    if (/SASL mechanism .*not (supported|enabled)|does not support the requested SASL mechanism|unsupported SASL mechanism/i.test(message)) {
      return `the broker does not offer this SASL mechanism (${message}): check KAFKA_SASL_MECHANISM`;
    }
    if (TLS_REFUSED.test(message)) {
      return `this node does not trust the broker's TLS certificate (${message}): give the CA that signed it with KAFKA_SSL_CA (a PEM file)`;
    }
  }
  return null;
}
