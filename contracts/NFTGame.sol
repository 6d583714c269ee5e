// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title A character-collecting game for parevm's synthetic blocks
///        (`parevm gen nft`).
/// @notice Characters are non-fungible tokens (ERC-721 Transfer events, owner
///         and balance bookkeeping) with stats. Anyone may mint a character
///         to anyone; an owner battles its character against any other
///         (both characters' records change) or breeds it with any other as
///         the second parent (both parents' breed counts change, a child is
///         born to the caller).
/// @dev    Token ids are hashes (of the recipient and its mint count, or of
///         the parents and the first parent's breed count), not a global
///         counter, so minting and breeding by different accounts touch
///         disjoint state; only the characters themselves are shared.

contract NFTGame {
    struct Character {
        address owner;
        uint16 strength;
        uint16 agility;
        uint16 vitality;
        uint16 level;
        uint16 generation;
        uint16 breedCount;
        uint32 wins;
        uint32 losses;
        uint64 xp;
    }

    mapping(uint256 id => Character) public characters;
    mapping(address owner => uint256) public balanceOf;
    mapping(address owner => uint256) public mintCount;

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event Battle(uint256 indexed attacker, uint256 indexed defender, uint256 winner);
    event Birth(uint256 indexed child, uint256 indexed parentA, uint256 indexed parentB);

    function ownerOf(uint256 id) external view returns (address) {
        address o = characters[id].owner;
        require(o != address(0), "game: no such character");
        return o;
    }

    /// Mint a character with pseudo-random stats to `to`; returns its id,
    /// keccak256(abi.encode(to, mintCount[to])).
    function mint(address to) external returns (uint256 id) {
        require(to != address(0), "game: zero owner");
        id = uint256(keccak256(abi.encode(to, mintCount[to]++)));
        uint256 dna = uint256(keccak256(abi.encode(id)));
        _create(id, to, 10 + uint16(dna % 90), 10 + uint16((dna >> 16) % 90), 50 + uint16((dna >> 32) % 50), 0);
    }

    /// The caller's character `mine` fights `foe`: the stronger (stats,
    /// level and a roll) wins experience; both records change.
    function battle(uint256 mine, uint256 foe) external returns (uint256 winner) {
        require(mine != foe, "game: same character");
        Character storage a = characters[mine];
        Character storage b = characters[foe];
        require(a.owner == msg.sender, "game: not your character");
        require(b.owner != address(0), "game: no such foe");
        uint256 roll = uint256(keccak256(abi.encode(mine, foe, a.xp, b.xp)));
        uint256 pa = uint256(a.strength) * 3 + a.agility * 2 + a.vitality + uint256(a.level) * 10 + roll % 64;
        uint256 pb = uint256(b.strength) * 3 + b.agility * 2 + b.vitality + uint256(b.level) * 10 + (roll >> 8) % 64;
        (Character storage w, Character storage l) = pa >= pb ? (a, b) : (b, a);
        winner = pa >= pb ? mine : foe;
        w.wins += 1;
        w.xp += 10 + uint64(l.level) * 5;
        if (w.xp >= uint64(w.level + 1) * 100 && w.level < type(uint16).max) w.level += 1;
        l.losses += 1;
        l.xp += 2;
        emit Battle(mine, foe, winner);
    }

    /// Breed the caller's character `mine` with `other`: a child with mixed,
    /// mutated stats is born to the caller.
    function breed(uint256 mine, uint256 other) external returns (uint256 child) {
        require(mine != other, "game: same character");
        Character storage a = characters[mine];
        Character storage b = characters[other];
        require(a.owner == msg.sender, "game: not your character");
        require(b.owner != address(0), "game: no such partner");
        require(a.breedCount < 1000 && b.breedCount < 1000, "game: exhausted");
        child = uint256(keccak256(abi.encode(mine, other, a.breedCount)));
        uint256 dna = uint256(keccak256(abi.encode(child)));
        uint16 gen = (a.generation > b.generation ? a.generation : b.generation) + 1;
        a.breedCount += 1;
        b.breedCount += 1;
        _create(child, msg.sender, (a.strength + b.strength) / 2 + uint16(dna % 8),
                (a.agility + b.agility) / 2 + uint16((dna >> 8) % 8),
                (a.vitality + b.vitality) / 2 + uint16((dna >> 16) % 8), gen);
        emit Birth(child, mine, other);
    }

    /// Give the caller's character to `to`.
    function transfer(address to, uint256 id) external {
        Character storage c = characters[id];
        require(c.owner == msg.sender, "game: not your character");
        require(to != address(0), "game: zero owner");
        c.owner = to;
        balanceOf[msg.sender] -= 1;
        balanceOf[to] += 1;
        emit Transfer(msg.sender, to, id);
    }

    function _create(uint256 id, address to, uint16 strength, uint16 agility, uint16 vitality, uint16 gen) private {
        Character storage c = characters[id];
        require(c.owner == address(0), "game: id taken");
        c.owner = to;
        c.strength = strength;
        c.agility = agility;
        c.vitality = vitality;
        c.level = 1;
        c.generation = gen;
        balanceOf[to] += 1;
        emit Transfer(address(0), to, id);
    }
}
