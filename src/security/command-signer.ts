import { signingInput } from "../protocol/canonical.ts";
import { validate, type MessageOf, type TopicKey } from "../protocol/index.ts";
import { ED25519, encodeSignature, type SigningKey } from "./keys.ts";

/** Signs orchestrator→driver commands: adds `key_id`, `issued_at` and `signature` to a message. */
export interface CommandSigner {
  readonly keyId: string;
  sign<T extends TopicKey>(topic: T, message: MessageOf<T>): Promise<MessageOf<T>>;
}

/**
 * A signer over `key`. The signature covers the schema-parsed message (what a driver will
 * see after decoding) with `key_id` and `issued_at`, in canonical form; a message the schema
 * refuses is returned unsigned, for the bus to refuse with its own error.
 */
export function createCommandSigner(key: SigningKey, now: () => number = Date.now): CommandSigner {
  return {
    keyId: key.keyId,
    async sign(topic, message) {
      const parsed = validate(topic, message);
      if (!parsed.ok) return message;
      const { signature: _old, ...fields } = parsed.value as Record<string, unknown>;
      const unsigned = { ...fields, key_id: key.keyId, issued_at: now() };
      const signature = await crypto.subtle.sign(ED25519, key.key, signingInput(topic, unsigned, ["signature"]));
      return { ...unsigned, signature: encodeSignature(signature) } as MessageOf<typeof topic>;
    },
  };
}
