// Spawns the storefront debug binary for a client script: a fresh SQLite file with the demo
// catalogue, mail written as files under the data folder (development), and a publishable key.
// The binary is $STOREFRONT_BIN, else $CARGO_TARGET_DIR/debug/storefront, else
// ../../../target/debug/storefront. The server is stopped and its folder removed at exit.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const bin =
  process.env.STOREFRONT_BIN ??
  join(process.env.CARGO_TARGET_DIR ?? resolve(here, "../../../target"), "debug", "storefront");

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
    srv.on("error", fail);
  });
}

/**
 * Starts a server named `name` (its key's name and its temp folder's prefix) with `extraEnv`
 * on top of the defaults; resolves once `/health` answers.
 * @returns {Promise<{ baseUrl: string, publishableKey: string, dir: string }>}
 */
export async function startServer(name, extraEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), `storefront-${name}-`));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite://${join(dir, "store.db")}`,
    STOREFRONT_DATA_DIR: dir,
    STOREFRONT_BIND: `127.0.0.1:${port}`,
    STOREFRONT_ENV: "development",
    STOREFRONT_SEED: "demo",
    RUST_LOG: process.env.RUST_LOG ?? "warn",
    ...extraEnv,
  };
  delete env.STOREFRONT_SMTP_URL;
  const publishableKey = execFileSync(bin, ["keys", "create", "publishable", "--name", name], {
    env,
  })
    .toString()
    .trim();
  const server = spawn(bin, ["serve"], { env, stdio: ["ignore", "inherit", "inherit"] });
  process.on("exit", () => {
    server.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${baseUrl}/health`)).ok) break;
    } catch {}
    if (i > 300) throw new Error("the server did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
  return { baseUrl, publishableKey, dir };
}
