// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title DAO voting with staking rewards for parevm's synthetic blocks
///        (`parevm gen dao`).
/// @notice Members lock a governance token (an ERC-20) in this vault; the
///         stake is their voting power. Anyone may open a proposal and fund
///         its reward. Voting is commit-reveal: during the commit phase a
///         member stores keccak256(abi.encode(member, support, salt)); in the
///         reveal phase it discloses support and salt and its vote counts
///         with quadratic weight, the integer square root of its stake. When
///         the proposer closes the proposal, each revealed voter may claim a
///         share of the reward in proportion to its stake; the reward is
///         added to the voter's stake (staking rewards compound).
/// @dev    Many proposals are open at once; a proposal's tallies are the
///         only state its voters share. Claims read the proposal but write
///         only the claimant's records.

interface IERC20Vault {
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

contract DAOVault {
    uint8 private constant COMMIT = 1;
    uint8 private constant REVEAL = 2;
    uint8 private constant CLOSED = 3;

    struct Proposal {
        address proposer;
        uint8 phase;
        uint32 commits;
        uint32 reveals;
        uint128 yesWeight;
        uint128 noWeight;
        uint256 stakeRevealed;
        uint256 reward;
    }

    IERC20Vault public immutable token;

    mapping(address member => uint256) public stakeOf;
    mapping(uint256 id => Proposal) public proposals;
    mapping(uint256 id => mapping(address member => bytes32)) public commitments;
    mapping(uint256 id => mapping(address member => uint256)) public revealedStake;

    event Staked(address indexed member, uint256 amount);
    event Proposed(uint256 indexed id, address indexed proposer, uint256 reward);
    event Committed(uint256 indexed id, address indexed member);
    event Revealed(uint256 indexed id, address indexed member, bool support, uint256 weight);
    event PhaseChanged(uint256 indexed id, uint8 phase);
    event RewardPaid(uint256 indexed id, address indexed member, uint256 amount);

    constructor(IERC20Vault t) {
        token = t;
    }

    function stake(uint256 amount) external {
        require(amount > 0, "dao: zero stake");
        require(token.transferFrom(msg.sender, address(this), amount), "dao: transferFrom failed");
        stakeOf[msg.sender] += amount;
        emit Staked(msg.sender, amount);
    }

    function propose(uint256 id, uint256 reward) external {
        Proposal storage p = proposals[id];
        require(p.proposer == address(0), "dao: id taken");
        if (reward > 0) require(token.transferFrom(msg.sender, address(this), reward), "dao: transferFrom failed");
        p.proposer = msg.sender;
        p.phase = COMMIT;
        p.reward = reward;
        emit Proposed(id, msg.sender, reward);
    }

    function commit(uint256 id, bytes32 hash) external {
        Proposal storage p = proposals[id];
        require(p.phase == COMMIT, "dao: not in commit phase");
        require(stakeOf[msg.sender] > 0, "dao: no stake");
        require(hash != bytes32(0) && commitments[id][msg.sender] == bytes32(0), "dao: bad commitment");
        commitments[id][msg.sender] = hash;
        p.commits += 1;
        emit Committed(id, msg.sender);
    }

    function startReveal(uint256 id) external {
        _advance(id, COMMIT);
    }

    function reveal(uint256 id, bool support, bytes32 salt) external {
        Proposal storage p = proposals[id];
        require(p.phase == REVEAL, "dao: not in reveal phase");
        bytes32 h = commitments[id][msg.sender];
        require(h != bytes32(0) && h == keccak256(abi.encode(msg.sender, support, salt)), "dao: bad reveal");
        delete commitments[id][msg.sender];
        uint256 s = stakeOf[msg.sender];
        uint256 weight = _sqrt(s);
        if (support) p.yesWeight += uint128(weight);
        else p.noWeight += uint128(weight);
        p.reveals += 1;
        p.stakeRevealed += s;
        revealedStake[id][msg.sender] = s;
        emit Revealed(id, msg.sender, support, weight);
    }

    function close(uint256 id) external {
        _advance(id, REVEAL);
    }

    function claim(uint256 id) external returns (uint256 amount) {
        Proposal storage p = proposals[id];
        require(p.phase == CLOSED, "dao: not closed");
        uint256 s = revealedStake[id][msg.sender];
        require(s > 0, "dao: nothing to claim");
        revealedStake[id][msg.sender] = 0;
        amount = p.reward * s / p.stakeRevealed;
        stakeOf[msg.sender] += amount;
        emit RewardPaid(id, msg.sender, amount);
    }

    function _advance(uint256 id, uint8 from) private {
        Proposal storage p = proposals[id];
        require(p.proposer == msg.sender, "dao: not the proposer");
        require(p.phase == from, "dao: wrong phase");
        p.phase = from + 1;
        emit PhaseChanged(id, from + 1);
    }

    /// floor(sqrt(x)) by Newton's method.
    function _sqrt(uint256 x) private pure returns (uint256 z) {
        if (x == 0) return 0;
        z = x;
        uint256 y = x / 2 + 1;
        while (y < z) {
            z = y;
            y = (x / y + y) / 2;
        }
    }
}
