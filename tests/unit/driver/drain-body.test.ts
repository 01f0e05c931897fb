import { expect, test } from "bun:test";
import { drainBody } from "../../../src/driver/drain-body.ts";

/** A response whose body is `chunks` chunks of `size` bytes (endless when chunks is Infinity); notes a cancel. */
function streamed(chunks: number, size: number): { res: Response; cancelled: () => boolean } {
  let sent = 0;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ >= chunks) controller.close();
      else controller.enqueue(new Uint8Array(size));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { res: new Response(body), cancelled: () => cancelled };
}

test("reads a body to its end and counts its bytes without keeping them", async () => {
  const { res, cancelled } = streamed(10, 1000);
  expect({ drained: await drainBody(res, 10_000), cancelled: cancelled() }).toEqual({ drained: { bytes: 10_000, tooLarge: false }, cancelled: false });
});

test("cancels an endless body once past the cap and says so", async () => {
  const { res, cancelled } = streamed(Infinity, 1000);
  const drained = await drainBody(res, 4_500);
  expect({ drained, cancelled: cancelled() }).toEqual({ drained: { bytes: 5_000, tooLarge: true }, cancelled: true });
});

test("a response without a body drains to nothing", async () => {
  expect(await drainBody(new Response(null, { status: 204 }), 1)).toEqual({ bytes: 0, tooLarge: false });
});

test("keeps the first captureBytes of a body across chunks, and an empty capture of a body-less response", async () => {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of ["hel", "lo wo", "rld"]) controller.enqueue(new TextEncoder().encode(part));
      controller.close();
    },
  });
  const drained = await drainBody(new Response(body), 1_000, 7);
  const none = await drainBody(new Response(null, { status: 204 }), 1_000, 7);
  expect({ bytes: drained.bytes, body: new TextDecoder().decode(drained.body), none: none.body?.byteLength }).toEqual({ bytes: 11, body: "hello w", none: 0 });
});
