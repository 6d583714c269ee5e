// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title A batching "smart account" for EIP-7702 delegations.
/// @notice An externally owned account delegates to this code (EIP-7702:
///         its code becomes 0xef0100 || address(Batcher)); the code then runs
///         in the account's own context, so `address(this)` is the account,
///         the storage below is the account's storage and calls go out with
///         the account as msg.sender. `parevm gen smart` builds its blocks
///         with it.
/// @dev    Two ways to run a batch:
///         - execute: the account calls itself (a transaction from the
///           account to the account: self-sponsored);
///         - executeSigned: anyone (a relayer paying the gas) submits a batch
///           the account signed with its own key. The signed digest is
///           keccak256(abi.encode(block.chainid, address(this), nonce,
///           keccak256(abi.encode(calls)))), so a signature is good for one
///           account, one chain and one batch; `nonce` (slot 0 of the
///           account's storage) makes it good once.
///         A failing call reverts the whole batch.
contract Batcher {
    struct Call {
        address target;
        uint256 value;
        bytes data;
    }

    /// Signed batches run so far (replay protection for executeSigned).
    uint256 public nonce;

    event Executed(address indexed submitter, uint256 nonce, uint256 calls);

    error Unauthorized();
    error BadSignature();
    error CallFailed(uint256 index);

    /// Self-sponsored: only the account itself may run a batch this way.
    function execute(Call[] calldata calls) external payable {
        if (msg.sender != address(this)) revert Unauthorized();
        run(calls);
        emit Executed(msg.sender, nonce, calls.length);
    }

    /// Sponsored: the caller pays the gas, the account's signature (v 27/28)
    /// authorises the batch.
    function executeSigned(Call[] calldata calls, uint8 v, bytes32 r, bytes32 s) external payable {
        uint256 n = nonce;
        bytes32 digest = keccak256(abi.encode(block.chainid, address(this), n, keccak256(abi.encode(calls))));
        address signer = ecrecover(digest, v, r, s);
        if (signer == address(0) || signer != address(this)) revert BadSignature();
        nonce = n + 1;
        run(calls);
        emit Executed(msg.sender, n, calls.length);
    }

    function run(Call[] calldata calls) private {
        for (uint256 i = 0; i < calls.length; ++i) {
            (bool ok, ) = calls[i].target.call{value: calls[i].value}(calls[i].data);
            if (!ok) revert CallFailed(i);
        }
    }

    /// Plain ether sent to the account is accepted.
    receive() external payable {}
}
