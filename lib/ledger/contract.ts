/**
 * The RedemptionLedger contract's stable interface, as human-readable ethers ABI. Browser-safe;
 * deployment (which reads the compiled artifact from disk) lives in ./deploy.
 */
export const LEDGER_ABI = [
  "constructor(address admin, address anchorer)",
  "function ANCHORER_ROLE() view returns (bytes32)",
  "function DEFAULT_ADMIN_ROLE() view returns (bytes32)",
  "function appendCheckpoint(uint64 newSize, bytes32 newRoot, bytes32[] consistencyProof)",
  "function checkpointAt(uint64 treeSize) view returns (bytes32 rootHash, uint64 blockTime)",
  "function latestCheckpoint() view returns (uint64 treeSize, bytes32 rootHash)",
  "function checkpointCount() view returns (uint64)",
  "function verifyInclusion(uint64 treeSize, uint64 leafIndex, bytes32 leafHash, bytes32[] proof) view returns (bool)",
  "function hasRole(bytes32 role, address account) view returns (bool)",
  "function grantRole(bytes32 role, address account)",
  "function revokeRole(bytes32 role, address account)",
  "event CheckpointAppended(uint64 indexed treeSize, bytes32 rootHash, uint64 blockTime)",
  "error LedgerSizeNotIncreasing(uint64 currentSize, uint64 newSize)",
  "error LedgerInconsistentCheckpoint(uint64 oldSize, uint64 newSize)",
  "error LedgerZeroRoot()",
  "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
] as const;

/** keccak256("ANCHORER_ROLE"), the role allowed to append checkpoints. */
export const ANCHORER_ROLE = "0x4b3e6527f1b0d33beb6c20e3c362af276f03c4526b5f8b6d118672f0d75a60eb";
