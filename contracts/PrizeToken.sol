// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title PrizeToken
 * @notice The ERC-20 token Prizeledger pays crypto prizes in (18 decimals). The whole supply is
 * minted to the treasury at deployment; prizes leave it through `payout`, several in one
 * transaction, each with a `PrizePaid` event naming the redemption it pays.
 * @dev A payout id is remembered per payer: a redemption the treasury paid once cannot be paid by
 * it again, even by a transaction built twice by mistake, and nobody else can mark the treasury's
 * ids as paid (anyone may call `payout`, but only with their own tokens and their own ids).
 */
contract PrizeToken is ERC20 {
    mapping(address payer => mapping(bytes32 id => bool)) private _paid;

    /// @notice Emitted once per prize paid: `id` is the redemption's id, left-padded to 32 bytes.
    event PrizePaid(bytes32 indexed id, address indexed payer, address indexed to, uint256 amount);

    /// @notice The three arrays of a payout do not have the same length.
    error PayoutLengthMismatch(uint256 ids, uint256 recipients, uint256 amounts);
    /// @notice This payer paid this id already.
    error PrizeAlreadyPaid(bytes32 id);

    /**
     * @param name_ the token's name
     * @param symbol_ the token's symbol (crypto prizes name it)
     * @param treasury the account the whole supply is minted to
     * @param supply the supply in base units (10**18 per token)
     */
    constructor(string memory name_, string memory symbol_, address treasury, uint256 supply)
        ERC20(name_, symbol_)
    {
        _mint(treasury, supply);
    }

    /**
     * @notice Transfers `amounts[i]` of the caller's tokens to `to[i]` for each prize `ids[i]`,
     * all or none.
     * @param ids the redemptions paid; each may be paid once by a given caller
     * @param to the recipients
     * @param amounts the amounts in base units
     */
    function payout(bytes32[] calldata ids, address[] calldata to, uint256[] calldata amounts)
        external
    {
        if (ids.length != to.length || ids.length != amounts.length) {
            revert PayoutLengthMismatch(ids.length, to.length, amounts.length);
        }
        for (uint256 i = 0; i < ids.length; i++) {
            bytes32 id = ids[i];
            if (_paid[msg.sender][id]) revert PrizeAlreadyPaid(id);
            _paid[msg.sender][id] = true;
            _transfer(msg.sender, to[i], amounts[i]);
            emit PrizePaid(id, msg.sender, to[i], amounts[i]);
        }
    }

    /**
     * @notice Whether `payer` has paid prize `id`.
     * @param payer the account that paid
     * @param id the redemption id
     */
    function isPaid(address payer, bytes32 id) external view returns (bool) {
        return _paid[payer][id];
    }
}
