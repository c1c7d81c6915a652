// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/**
 * @title RedemptionLedger
 * @notice Anchors checkpoints (tree size, root hash) of Prizeledger's append-only RFC 6962 Merkle
 * log. A checkpoint is accepted only with a valid RFC 9162 consistency proof from the previous
 * one, so once anchored, history cannot be rewritten, truncated or forked on chain.
 * @dev Hashing follows RFC 6962 with SHA-256: leaf = SHA256(0x00 || data),
 * node = SHA256(0x01 || left || right). Proof verification follows RFC 9162 sections 2.1.3.2
 * (inclusion) and 2.1.4.2 (consistency).
 */
contract RedemptionLedger is AccessControl {
    /// @notice Role allowed to append checkpoints.
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    struct Checkpoint {
        bytes32 rootHash;
        uint64 blockTime;
    }

    mapping(uint64 treeSize => Checkpoint) private _checkpoints;
    uint64 private _latestSize;
    uint64 private _checkpointCount;

    /// @notice Emitted when a checkpoint is anchored.
    event CheckpointAppended(uint64 indexed treeSize, bytes32 rootHash, uint64 blockTime);

    /// @notice The new tree size is not larger than the latest anchored one.
    error LedgerSizeNotIncreasing(uint64 currentSize, uint64 newSize);
    /// @notice The consistency proof does not link the latest checkpoint to the new one.
    error LedgerInconsistentCheckpoint(uint64 oldSize, uint64 newSize);
    /// @notice A checkpoint root must not be zero (zero means "no checkpoint").
    error LedgerZeroRoot();

    /**
     * @param admin account that manages roles (DEFAULT_ADMIN_ROLE)
     * @param anchorer account allowed to append checkpoints (ANCHORER_ROLE)
     */
    constructor(address admin, address anchorer) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ANCHORER_ROLE, anchorer);
    }

    /**
     * @notice Anchors the checkpoint (newSize, newRoot).
     * @dev The first checkpoint needs an empty proof; every later one needs the RFC 6962
     * consistency proof PROOF(latestSize, D[newSize]).
     * @param newSize tree size of the new checkpoint, larger than the latest one
     * @param newRoot Merkle tree hash of the first newSize leaves
     * @param consistencyProof RFC 6962 consistency proof from the latest checkpoint
     */
    function appendCheckpoint(uint64 newSize, bytes32 newRoot, bytes32[] calldata consistencyProof)
        external
        onlyRole(ANCHORER_ROLE)
    {
        uint64 oldSize = _latestSize;
        if (newSize <= oldSize) revert LedgerSizeNotIncreasing(oldSize, newSize);
        if (newRoot == bytes32(0)) revert LedgerZeroRoot();
        if (oldSize == 0) {
            if (consistencyProof.length != 0) revert LedgerInconsistentCheckpoint(oldSize, newSize);
        } else if (!_verifyConsistency(oldSize, newSize, _checkpoints[oldSize].rootHash, newRoot, consistencyProof)) {
            revert LedgerInconsistentCheckpoint(oldSize, newSize);
        }

        uint64 blockTime = uint64(block.timestamp);
        _checkpoints[newSize] = Checkpoint(newRoot, blockTime);
        _latestSize = newSize;
        unchecked {
            ++_checkpointCount;
        }
        emit CheckpointAppended(newSize, newRoot, blockTime);
    }

    /**
     * @notice The checkpoint anchored for a tree size.
     * @param treeSize tree size of the checkpoint
     * @return rootHash the anchored root, or zero if no checkpoint has this size
     * @return blockTime timestamp of the block that anchored it, or zero
     */
    function checkpointAt(uint64 treeSize) external view returns (bytes32 rootHash, uint64 blockTime) {
        Checkpoint storage checkpoint = _checkpoints[treeSize];
        return (checkpoint.rootHash, checkpoint.blockTime);
    }

    /**
     * @notice The latest anchored checkpoint.
     * @return treeSize its tree size (zero if none yet)
     * @return rootHash its root (zero if none yet)
     */
    function latestCheckpoint() external view returns (uint64 treeSize, bytes32 rootHash) {
        return (_latestSize, _checkpoints[_latestSize].rootHash);
    }

    /**
     * @notice Number of checkpoints anchored so far.
     */
    function checkpointCount() external view returns (uint64) {
        return _checkpointCount;
    }

    /**
     * @notice Checks an RFC 6962 inclusion proof against an anchored checkpoint.
     * @param treeSize size of an anchored checkpoint
     * @param leafIndex zero-based index of the leaf
     * @param leafHash SHA256(0x00 || leaf data)
     * @param proof audit path, leaf to root
     * @return true if the checkpoint exists and the proof leads from the leaf to its root
     */
    function verifyInclusion(uint64 treeSize, uint64 leafIndex, bytes32 leafHash, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        bytes32 root = _checkpoints[treeSize].rootHash;
        if (root == bytes32(0) || leafIndex >= treeSize) return false;

        uint256 fn = leafIndex;
        uint256 sn = uint256(treeSize) - 1;
        bytes32 r = leafHash;
        for (uint256 i = 0; i < proof.length; ++i) {
            if (sn == 0) return false;
            if (fn & 1 == 1 || fn == sn) {
                r = _nodeHash(proof[i], r);
                while (fn & 1 == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = _nodeHash(r, proof[i]);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r == root;
    }

    /// @dev RFC 9162 section 2.1.4.2, for 0 < oldSize < newSize.
    function _verifyConsistency(
        uint64 oldSize,
        uint64 newSize,
        bytes32 oldRoot,
        bytes32 newRoot,
        bytes32[] calldata proof
    ) private view returns (bool) {
        if (proof.length == 0) return false;

        uint256 fn = uint256(oldSize) - 1;
        uint256 sn = uint256(newSize) - 1;
        // An old tree that is a perfect subtree of the new one is not repeated in the proof: the
        // verifier already knows its hash, the old root.
        bool oldIsPerfect = oldSize & (oldSize - 1) == 0;
        uint256 i = 0;
        bytes32 fr;
        if (oldIsPerfect) {
            fr = oldRoot;
        } else {
            fr = proof[0];
            i = 1;
        }
        bytes32 sr = fr;
        while (fn & 1 == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        for (; i < proof.length; ++i) {
            if (sn == 0) return false;
            bytes32 c = proof[i];
            if (fn & 1 == 1 || fn == sn) {
                fr = _nodeHash(c, fr);
                sr = _nodeHash(c, sr);
                while (fn & 1 == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = _nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && fr == oldRoot && sr == newRoot;
    }

    /// @dev SHA256(0x01 || left || right) through the precompile, in scratch memory.
    function _nodeHash(bytes32 left, bytes32 right) private view returns (bytes32 result) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore8(ptr, 0x01)
            mstore(add(ptr, 0x01), left)
            mstore(add(ptr, 0x21), right)
            if iszero(staticcall(gas(), 0x02, ptr, 0x41, 0x00, 0x20)) { revert(0, 0) }
            result := mload(0x00)
        }
    }
}
