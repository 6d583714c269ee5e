// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title A one-asset lending pool for parevm's synthetic blocks
///        (`parevm gen lending`).
/// @notice Depositors supply the asset; a depositor may borrow up to 75% of
///         its deposit and repay (anyone may repay or deposit on behalf of
///         another account). Debt is kept in shares of a global borrow index.
/// @dev    Every state-changing call first accrues interest: the index grows
///         by a rate that depends on utilisation, once per call. The index,
///         the totals and the pool's token balance are therefore written by
///         every transaction: a deliberate hot spot, as in real money
///         markets, that no scheduler can parallelise away.

interface IERC20Lending {
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

contract LendingPool {
    uint256 private constant WAD = 1e18;
    uint256 private constant BASE_RATE = 1e12; // per call, in WAD
    uint256 private constant SLOPE = 1e13;     // per call at 100% utilisation

    IERC20Lending public immutable asset;

    uint256 public borrowIndex = WAD;
    uint256 public accruals;
    uint256 public totalDeposits;
    uint256 public totalBorrows;
    mapping(address => uint256) public deposits;
    mapping(address => uint256) public debtShares;

    event Accrued(uint256 index, uint256 totalBorrows);
    event Deposit(address indexed from, address indexed onBehalfOf, uint256 amount);
    event Borrow(address indexed borrower, uint256 amount);
    event Repay(address indexed from, address indexed onBehalfOf, uint256 amount);

    constructor(IERC20Lending a) {
        asset = a;
    }

    function debtOf(address user) public view returns (uint256) {
        return (debtShares[user] * borrowIndex + WAD - 1) / WAD;
    }

    function deposit(address onBehalfOf, uint256 amount) external {
        _accrue();
        require(amount > 0, "lend: zero amount");
        require(asset.transferFrom(msg.sender, address(this), amount), "lend: transferFrom failed");
        deposits[onBehalfOf] += amount;
        totalDeposits += amount;
        emit Deposit(msg.sender, onBehalfOf, amount);
    }

    function borrow(uint256 amount) external {
        _accrue();
        require(amount > 0, "lend: zero amount");
        require(debtOf(msg.sender) + amount <= deposits[msg.sender] * 3 / 4, "lend: undercollateralised");
        require(totalBorrows + amount <= totalDeposits, "lend: no liquidity");
        uint256 index = borrowIndex;
        debtShares[msg.sender] += (amount * WAD + index - 1) / index;
        totalBorrows += amount;
        require(asset.transfer(msg.sender, amount), "lend: transfer failed");
        emit Borrow(msg.sender, amount);
    }

    /// Repay up to `amount` of onBehalfOf's debt (never more than it owes).
    function repay(address onBehalfOf, uint256 amount) external returns (uint256 paid) {
        _accrue();
        uint256 debt = debtOf(onBehalfOf);
        paid = amount < debt ? amount : debt;
        if (paid == 0) return 0;
        uint256 shares = paid == debt ? debtShares[onBehalfOf] : paid * WAD / borrowIndex;
        debtShares[onBehalfOf] -= shares;
        totalBorrows = totalBorrows > paid ? totalBorrows - paid : 0;
        require(asset.transferFrom(msg.sender, address(this), paid), "lend: transferFrom failed");
        emit Repay(msg.sender, onBehalfOf, paid);
    }

    function _accrue() private {
        uint256 deposited = totalDeposits;
        uint256 borrowed = totalBorrows;
        uint256 utilisation = deposited == 0 ? 0 : borrowed * WAD / deposited;
        uint256 rate = BASE_RATE + SLOPE * utilisation / WAD;
        uint256 index = borrowIndex + borrowIndex * rate / WAD;
        borrowIndex = index;
        totalBorrows = borrowed + borrowed * rate / WAD;
        accruals += 1;
        emit Accrued(index, totalBorrows);
    }
}
