// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title A constant-product market maker in the style of Uniswap V2, for
///        parevm's synthetic blocks (`parevm gen amm`).
/// @notice A factory creates one pair per token pair; a pair holds two ERC-20
///         reserves and trades along x * y = k with a 0.3% fee; the router
///         pulls the input token from the trader and swaps it along a path of
///         pairs. Liquidity tokens are plain balances inside the pair.
/// @dev    Reserves are packed into one slot (two uint112 and a uint32
///         timestamp) as in Uniswap V2, so a swap reads and writes one slot of
///         its pair: two swaps on different pairs touch disjoint state.

interface IERC20Like {
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
    function balanceOf(address owner) external view returns (uint256);
}

contract AMMPair {
    uint256 private constant MINIMUM_LIQUIDITY = 1000;

    address public immutable factory;
    address public immutable token0;
    address public immutable token1;

    uint112 private reserve0;
    uint112 private reserve1;
    uint32 private blockTimestampLast;

    uint256 public totalSupply;
    mapping(address owner => uint256) public balanceOf;

    event Mint(address indexed sender, uint256 amount0, uint256 amount1);
    event Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out,
               uint256 amount1Out, address indexed to);
    event Sync(uint112 reserve0, uint112 reserve1);

    constructor(address tokenA, address tokenB) {
        factory = msg.sender;
        token0 = tokenA;
        token1 = tokenB;
    }

    function getReserves() public view returns (uint112, uint112, uint32) {
        return (reserve0, reserve1, blockTimestampLast);
    }

    /// Mint liquidity for the tokens sent to the pair since the last sync.
    function mint(address to) external returns (uint256 liquidity) {
        (uint112 r0, uint112 r1,) = getReserves();
        uint256 b0 = IERC20Like(token0).balanceOf(address(this));
        uint256 b1 = IERC20Like(token1).balanceOf(address(this));
        uint256 a0 = b0 - r0;
        uint256 a1 = b1 - r1;
        uint256 supply = totalSupply;
        if (supply == 0) {
            liquidity = _sqrt(a0 * a1) - MINIMUM_LIQUIDITY;
            balanceOf[address(0)] = MINIMUM_LIQUIDITY; // locked forever, as in V2
            supply = MINIMUM_LIQUIDITY;
        } else {
            uint256 l0 = a0 * supply / r0;
            uint256 l1 = a1 * supply / r1;
            liquidity = l0 < l1 ? l0 : l1;
        }
        require(liquidity > 0, "AMM: no liquidity minted");
        balanceOf[to] += liquidity;
        totalSupply = supply + liquidity;
        _update(b0, b1);
        emit Mint(msg.sender, a0, a1);
    }

    /// Send out the requested amounts, then insist that the balances left
    /// (net of a 0.3% fee on what came in) keep x * y from falling.
    function swap(uint256 amount0Out, uint256 amount1Out, address to) external {
        require(amount0Out > 0 || amount1Out > 0, "AMM: no output");
        (uint112 r0, uint112 r1,) = getReserves();
        require(amount0Out < r0 && amount1Out < r1, "AMM: insufficient liquidity");
        require(to != token0 && to != token1, "AMM: bad recipient");
        if (amount0Out > 0) require(IERC20Like(token0).transfer(to, amount0Out), "AMM: transfer failed");
        if (amount1Out > 0) require(IERC20Like(token1).transfer(to, amount1Out), "AMM: transfer failed");
        uint256 b0 = IERC20Like(token0).balanceOf(address(this));
        uint256 b1 = IERC20Like(token1).balanceOf(address(this));
        uint256 in0 = b0 > r0 - amount0Out ? b0 - (r0 - amount0Out) : 0;
        uint256 in1 = b1 > r1 - amount1Out ? b1 - (r1 - amount1Out) : 0;
        require(in0 > 0 || in1 > 0, "AMM: no input");
        uint256 adjusted0 = b0 * 1000 - in0 * 3;
        uint256 adjusted1 = b1 * 1000 - in1 * 3;
        require(adjusted0 * adjusted1 >= uint256(r0) * r1 * 1000000, "AMM: K");
        _update(b0, b1);
        emit Swap(msg.sender, in0, in1, amount0Out, amount1Out, to);
    }

    function _update(uint256 b0, uint256 b1) private {
        require(b0 <= type(uint112).max && b1 <= type(uint112).max, "AMM: overflow");
        reserve0 = uint112(b0);
        reserve1 = uint112(b1);
        blockTimestampLast = uint32(block.timestamp);
        emit Sync(uint112(b0), uint112(b1));
    }

    function _sqrt(uint256 y) private pure returns (uint256 z) {
        if (y > 3) {
            z = y;
            uint256 x = y / 2 + 1;
            while (x < z) {
                z = x;
                x = (y / x + x) / 2;
            }
        } else if (y != 0) {
            z = 1;
        }
    }
}

contract AMMFactory {
    mapping(address => mapping(address => address)) public getPair;
    address[] public allPairs;

    event PairCreated(address indexed token0, address indexed token1, address pair, uint256 count);

    function createPair(address tokenA, address tokenB) external returns (address pair) {
        require(tokenA != tokenB, "AMM: identical tokens");
        (address t0, address t1) = tokenA < tokenB ? (tokenA, tokenB) : (tokenB, tokenA);
        require(t0 != address(0), "AMM: zero address");
        require(getPair[t0][t1] == address(0), "AMM: pair exists");
        pair = address(new AMMPair(t0, t1));
        getPair[t0][t1] = pair;
        getPair[t1][t0] = pair;
        allPairs.push(pair);
        emit PairCreated(t0, t1, pair, allPairs.length);
    }

    function allPairsLength() external view returns (uint256) {
        return allPairs.length;
    }
}

contract AMMRouter {
    AMMFactory public immutable factory;

    constructor(AMMFactory f) {
        factory = f;
    }

    /// Move amountA of tokenA and amountB of tokenB from the caller into
    /// their pair and mint liquidity to `to`.
    function addLiquidity(address tokenA, address tokenB, uint256 amountA, uint256 amountB, address to)
        external
        returns (uint256 liquidity)
    {
        address pair = factory.getPair(tokenA, tokenB);
        require(pair != address(0), "AMM: no pair");
        require(IERC20Like(tokenA).transferFrom(msg.sender, pair, amountA), "AMM: transferFrom failed");
        require(IERC20Like(tokenB).transferFrom(msg.sender, pair, amountB), "AMM: transferFrom failed");
        liquidity = AMMPair(pair).mint(to);
    }

    function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut) public pure returns (uint256) {
        require(amountIn > 0 && reserveIn > 0 && reserveOut > 0, "AMM: bad amounts");
        uint256 withFee = amountIn * 997;
        return withFee * reserveOut / (reserveIn * 1000 + withFee);
    }

    /// Swap exactly amountIn of path[0] for as much of path[n-1] as the
    /// pairs along the path give, at least amountOutMin, sent to `to`.
    function swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, address[] calldata path, address to,
                                      uint256 deadline) external returns (uint256[] memory amounts) {
        require(block.timestamp <= deadline, "AMM: expired");
        uint256 n = path.length;
        require(n >= 2, "AMM: bad path");
        address[] memory pairs = new address[](n - 1);
        amounts = new uint256[](n);
        amounts[0] = amountIn;
        for (uint256 i = 0; i + 1 < n; i++) {
            address pair = factory.getPair(path[i], path[i + 1]);
            require(pair != address(0), "AMM: no pair");
            pairs[i] = pair;
            (uint112 r0, uint112 r1,) = AMMPair(pair).getReserves();
            (uint256 rIn, uint256 rOut) = path[i] < path[i + 1] ? (uint256(r0), uint256(r1)) : (uint256(r1), uint256(r0));
            amounts[i + 1] = getAmountOut(amounts[i], rIn, rOut);
        }
        require(amounts[n - 1] >= amountOutMin, "AMM: insufficient output");
        require(IERC20Like(path[0]).transferFrom(msg.sender, pairs[0], amountIn), "AMM: transferFrom failed");
        for (uint256 i = 0; i + 1 < n; i++) {
            uint256 out = amounts[i + 1];
            (uint256 out0, uint256 out1) = path[i] < path[i + 1] ? (uint256(0), out) : (out, uint256(0));
            address recipient = i + 2 < n ? pairs[i + 1] : to;
            AMMPair(pairs[i]).swap(out0, out1, recipient);
        }
    }
}
