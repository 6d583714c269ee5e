// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title A small, standard ERC-20 token (EIP-20) for parevm's synthetic blocks.
/// @notice The constructor mints the whole supply to the deployer. parevm's
///         block generator (`parevm gen erc20`) does not run it: it installs
///         the runtime code in the pre-state and writes balances straight into
///         storage. The storage layout is therefore part of this contract's
///         interface; scripts/compile-contracts reads it from solc's output and
///         records it in the generated header beside the bytecode.
/// @dev    Name, symbol and decimals are constants so that they live in the
///         code, not in storage. Arithmetic is checked (Solidity >= 0.8).
contract ERC20 {
    string public constant name = "parevm token";
    string public constant symbol = "PVM";
    uint8 public constant decimals = 18;

    uint256 public totalSupply;
    mapping(address owner => uint256) public balanceOf;
    mapping(address owner => mapping(address spender => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(uint256 initialSupply) {
        totalSupply = initialSupply;
        balanceOf[msg.sender] = initialSupply;
        emit Transfer(address(0), msg.sender, initialSupply);
    }

    /// Move `value` tokens from the caller to `to`.
    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    /// Let `spender` move up to `value` of the caller's tokens (replaces
    /// any earlier allowance).
    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    /// Move `value` tokens from `from` to `to`, spending the caller's
    /// allowance.
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        require(allowed >= value, "ERC20: insufficient allowance");
        allowance[from][msg.sender] = allowed - value;
        _move(from, to, value);
        return true;
    }

    function _move(address from, address to, uint256 value) private {
        uint256 balance = balanceOf[from];
        require(balance >= value, "ERC20: insufficient balance");
        balanceOf[from] = balance - value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
