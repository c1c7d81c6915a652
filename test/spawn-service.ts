import { type ChildProcess, spawn } from "node:child_process";

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * A local service (the gift-card provider, the push service) as a process of its own: Node
 * itself with tsx's loader, not tsx's command (a parent that spawns Node), so a signal reaches
 * the service and not a wrapper whose child lives on. Resolves once it prints the line
 * "listening on <url>"; killed with this process if still running.
 */
export async function spawnService(
  name: string,
  script: string,
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess; exited: Promise<void> }> {
  const args = ["--import", "tsx", "--import", "./scripts/lib/server-only-noop.mjs", script];
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { NODE_ENV: "test", PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
  running.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running.delete(child);
      resolve();
    }),
  );
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1] as string);
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    void exited.then(() => reject(new Error(`the ${name} exited:\n${output}`)));
  });
  return { url, child, exited };
}
