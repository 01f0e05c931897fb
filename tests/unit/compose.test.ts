/**
 * compose.yaml and the Dockerfile cannot be run here (no Docker engine in CI), so this
 * checks them against what they name: every flag a service passes appears in that node's
 * own `--help`, every variable it sets is one the node documents, ports agree, the driver
 * can scale, and nodes wait for a healthy broker. The `--help` texts come from the sources.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { ENTRY_POINTS, type ExecutableName } from "../../scripts/build.ts";

const ROOT = join(import.meta.dir, "..", "..");
const compose = Bun.YAML.parse(await Bun.file(join(ROOT, "compose.yaml")).text()) as Compose;
const dockerfile = await Bun.file(join(ROOT, "Dockerfile")).text();
const pom = await Bun.file(join(ROOT, "scripts", "kafka", "pom.xml")).text();

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  container_name?: string;
  hostname?: string;
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  profiles?: string[];
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const services = compose.services;
const ourImage = services.orchestrator?.image;
/** Services that run one of our executables, by executable name. */
const nodeServices = Object.entries(services).filter(([, s]) => s.image === ourImage);

const helpCache = new Map<string, string>();
/** A node's `--help`, from its TypeScript entry point (no build needed). */
function helpOf(name: ExecutableName, subcommand?: string): string {
  const key = `${name} ${subcommand ?? ""}`;
  const cached = helpCache.get(key);
  if (cached !== undefined) return cached;
  const result = Bun.spawnSync([process.execPath, join(ROOT, ENTRY_POINTS[name]), ...(subcommand ? [subcommand] : []), "--help"], {
    cwd: ROOT,
    env: { ...process.env, KAFKA_BROKERS: "127.0.0.1:1" },
    timeout: 30_000,
  });
  const help = result.stdout.toString();
  if (!result.success || help.length === 0) {
    throw new Error(`${ENTRY_POINTS[name]} --help failed (${result.exitCode}): ${result.stderr.toString()}`);
  }
  helpCache.set(key, help);
  return help;
}

function flagValue(command: string[], flag: string): string | undefined {
  const i = command.indexOf(flag);
  return i === -1 ? undefined : command[i + 1];
}

/** "3000:3000" -> { host: "3000", container: "3000" }; a bare "3000" has no host port. */
function parsePort(spec: string): { host?: string; container: string } {
  const parts = spec.split(":");
  const container = parts.pop()!.split("/")[0]!;
  return parts.length > 0 ? { host: parts.pop()!, container } : { container };
}

function healthcheckPort(service: Service): string | undefined {
  return service.healthcheck?.test.join(" ").match(/\/dev\/tcp\/127\.0\.0\.1\/(\d+)/)?.[1];
}

describe("compose.yaml", () => {
  test("runs Kafka 4.1 in KRaft mode from the official image, advertised where the nodes look for it", () => {
    const kafka = services.kafka!;
    // The same Kafka as the dev and CI broker (scripts/kafka/pom.xml).
    const devVersion = pom.match(/<kafka\.version>([^<]+)<\/kafka\.version>/)?.[1];
    expect(kafka.image).toMatch(/^apache\/kafka:4\.1\.\d+$/);
    expect(kafka.image).toBe(`apache/kafka:${devVersion}`);
    const env = kafka.environment!;
    expect(String(env.KAFKA_PROCESS_ROLES).split(",").sort()).toEqual(["broker", "controller"]);
    expect(env.CLUSTER_ID).toBeDefined();
    expect(String(env.KAFKA_CONTROLLER_QUORUM_VOTERS)).toBe(`${env.KAFKA_NODE_ID}@kafka:9093`);
    expect(String(env.KAFKA_ADVERTISED_LISTENERS)).toBe("PLAINTEXT://kafka:9092");
    expect(kafka.healthcheck!.test.join(" ")).toContain("/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092");
    for (const [name, service] of nodeServices) {
      const brokers = service.environment?.KAFKA_BROKERS;
      if (brokers !== undefined) expect({ name, brokers }).toEqual({ name, brokers: "kafka:9092" });
    }
  });

  test("the cluster profile adds two brokers that join kafka's quorum, and the orchestrator waits for them when they run", () => {
    const kafka = services.kafka!;
    const env = kafka.environment!;
    const extra = Object.entries(services).filter(([, s]) => s.profiles?.includes("cluster"));
    expect(extra.map(([name]) => name).sort()).toEqual(["kafka-2", "kafka-3"]);
    expect(kafka.profiles).toBeUndefined();
    const ids = new Set([String(env.KAFKA_NODE_ID)]);
    for (const [name, broker] of extra) {
      const own = broker.environment!;
      ids.add(String(own.KAFKA_NODE_ID));
      expect({
        name,
        image: broker.image,
        hostname: broker.hostname,
        roles: own.KAFKA_PROCESS_ROLES,
        cluster: own.CLUSTER_ID,
        voters: own.KAFKA_CONTROLLER_QUORUM_VOTERS,
        advertised: own.KAFKA_ADVERTISED_LISTENERS,
        waits: broker.depends_on?.kafka?.condition,
        health: broker.healthcheck?.test.join(" ").includes("--bootstrap-server localhost:9092"),
        volume: broker.volumes?.[0]?.split(":")[0] !== kafka.volumes?.[0]?.split(":")[0],
      }).toEqual({
        name,
        image: kafka.image,
        hostname: name,
        roles: "broker",
        cluster: env.CLUSTER_ID,
        voters: env.KAFKA_CONTROLLER_QUORUM_VOTERS,
        advertised: `PLAINTEXT://${name}:9092`,
        waits: "service_healthy",
        health: true,
        volume: true,
      });
    }
    // Three distinct node ids: topics created once all three are up get 3 replicas (topicReplication).
    expect(ids.size).toBe(3);
    const orchestratorDeps = services.orchestrator!.depends_on!;
    for (const [name] of extra) expect({ name, dep: orchestratorDeps[name] }).toEqual({ name, dep: { condition: "service_healthy", required: false } });
  });

  test("starts each of our services with an executable the image ships", () => {
    const shipped = dockerfile.match(/^COPY --from=build (.+) \/usr\/local\/bin\/$/m)?.[1]?.split(/\s+/) ?? [];
    expect(shipped.sort()).toEqual(Object.keys(ENTRY_POINTS).map((name) => `/app/dist/${name}`).sort());
    expect(nodeServices.map(([name]) => name).sort()).toEqual(["driver", "keygen", "orchestrator", "target"]);
    for (const [name, service] of nodeServices) {
      expect({ name, executable: (service.command?.[0] ?? "") in ENTRY_POINTS }).toEqual({ name, executable: true });
      expect({ name, build: service.build }).toEqual({ name, build: "." });
    }
  });

  for (const [name, service] of nodeServices) {
    const executable = service.command![0] as ExecutableName;
    // `loadtest keygen ...`: the subcommand's own --help lists its flags.
    const subcommand = executable === "loadtest" && service.command![1] && !service.command![1].startsWith("-") ? service.command![1] : undefined;

    test(`passes ${name} only flags that \`${executable} --help\` lists`, () => {
      const help = helpOf(executable, subcommand);
      const flags = service.command!.filter((arg) => arg.startsWith("--")).map((arg) => arg.split("=")[0]!);
      const unknown = flags.filter((flag) => !new RegExp(`(^|\\s)${flag}(\\s|=|,|$)`, "m").test(help));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    });

    test(`sets on ${name} only variables that \`${executable} --help\` documents`, () => {
      const help = helpOf(executable, subcommand);
      const unknown = Object.keys(service.environment ?? {}).filter((variable) => !new RegExp(`\\b${variable}\\b`).test(help));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    });

    test(`publishes and health-checks the port ${name} listens on`, () => {
      const port = flagValue(service.command!, "--port");
      const published = (service.ports ?? []).map(parsePort);
      if (port === undefined) {
        expect({ name, published }).toEqual({ name, published: [] });
        return;
      }
      expect(published).toEqual([{ host: port, container: port }]);
      expect(healthcheckPort(service)).toBe(port);
    });
  }

  test("lets the driver scale: no container name, host name, host port or fixed node id", () => {
    const driver = services.driver!;
    expect({
      container_name: driver.container_name,
      hostname: driver.hostname,
      ports: driver.ports,
      node_id: flagValue(driver.command!, "--node-id") ?? driver.environment?.NODE_ID,
      advertise_ip: flagValue(driver.command!, "--advertise-ip") ?? driver.environment?.NODE_IP,
    }).toEqual({ container_name: undefined, hostname: undefined, ports: undefined, node_id: undefined, advertise_ip: undefined });
    // The brief's fleet is at least two drivers; `--scale driver=N` overrides this.
    expect(driver.deploy?.replicas).toBe(2);
  });

  test("starts nodes only once what they depend on is healthy (and the fleet's keys are made)", () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        if (dependency === "keygen") {
          expect({ name, condition }).toEqual({ name, condition: "service_completed_successfully" });
          continue;
        }
        expect({ name, dependency, condition, checked: services[dependency]?.healthcheck !== undefined }).toEqual({
          name,
          dependency,
          condition: "service_healthy",
          checked: true,
        });
      }
    }
    expect(Object.keys(services.orchestrator!.depends_on ?? {})).toContain("kafka");
    expect(Object.keys(services.driver!.depends_on ?? {})).toContain("kafka");
  });

  test("signs commands with keys keygen makes: the orchestrator signs, the drivers verify, both MAC reports", () => {
    const keygen = services.keygen!;
    const keyDir = flagValue(keygen.command!, "--out")!;
    const mount = (service: Service) => (service.volumes ?? []).map((v) => v.split(":")).find(([, path]) => path === keyDir)?.[0];
    expect({ volume: mount(keygen), ifMissing: keygen.command!.includes("--if-missing") }).toEqual({ volume: "fleet-keys", ifMissing: true });
    expect({ orchestrator: mount(services.orchestrator!), driver: mount(services.driver!) }).toEqual({ orchestrator: "fleet-keys", driver: "fleet-keys" });
    expect({ orchestrator: services.orchestrator!.environment, driver: services.driver!.environment }).toMatchObject({
      orchestrator: { ORCHESTRATOR_SIGNING_KEY: `${keyDir}/signing.key`, ORCHESTRATOR_REPORT_KEY: `${keyDir}/report.key` },
      driver: { DRIVER_TRUST_KEY: `${keyDir}/signing.pub`, DRIVER_REPORT_KEY: `${keyDir}/report.key` },
    });
  });

  test("aims tests at the target service by default and allows only it", () => {
    const command = services.orchestrator!.command!;
    const url = new URL(flagValue(command, "--target")!);
    const targetPort = flagValue(services.target!.command!, "--port");
    expect({ host: url.hostname, port: url.port, allowed: flagValue(command, "--allow-target") }).toEqual({
      host: "target",
      port: targetPort!,
      allowed: `target:${targetPort}`,
    });
  });

  test("keeps the orchestrator's database on a named volume", () => {
    const db = flagValue(services.orchestrator!.command!, "--db")!;
    const mounts = (services.orchestrator!.volumes ?? []).map((v) => v.split(":"));
    const mount = mounts.find(([, path]) => path !== undefined && db.startsWith(`${path}/`));
    expect(mount).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(mount![0]!);
  });
});

describe("Dockerfile", () => {
  test("builds with the pinned Bun from the lockfile and ships on a slim runtime", () => {
    const bunVersion = pkg.packageManager.replace(/^bun@/, "");
    const stages = [...dockerfile.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gm)].map((m) => m[1]);
    expect(stages).toEqual([`oven/bun:${bunVersion}`, "debian:bookworm-slim"]);
    expect(dockerfile).toContain("RUN bun install --frozen-lockfile");
    expect(dockerfile).toMatch(/^RUN bun run build --strict$/m);
  });

  test("keeps local build output and state out of the build context", async () => {
    const ignored = (await Bun.file(join(ROOT, ".dockerignore")).text()).split("\n").map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(["node_modules", "dist", ".kafka", ".git"]));
  });
});
