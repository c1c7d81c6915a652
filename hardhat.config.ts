import { createRequire } from "node:module";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatNodeTestRunner from "@nomicfoundation/hardhat-node-test-runner";
import { defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  plugins: [hardhatEthers, hardhatNodeTestRunner],
  solidity: {
    // The bundled solc-js build, so compiling never needs to download a compiler.
    version: "0.8.37",
    path: require.resolve("solc/soljson.js"),
    settings: {
      optimizer: { enabled: true, runs: 200 },
      // Cancun runs on every current EVM node (anvil, Hardhat, Besu QBFT networks).
      evmVersion: "cancun",
    },
  },
  paths: {
    sources: "contracts",
    tests: { nodejs: "contracts/test" },
  },
});
