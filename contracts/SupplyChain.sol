// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title Supply-chain tracking for parevm's synthetic blocks
///        (`parevm gen supply`).
/// @notice A producer registers an item under an id of its choosing and
///         holds it; the holder passes custody to another party; any party
///         records a checkpoint (location, temperature) on any item. Every
///         step emits an event and bumps per-party counters.
/// @dev    An item's record is one struct; the counters are per party. Two
///         transactions conflict only when they touch the same item or the
///         same party's counters.

contract SupplyChain {
    struct Item {
        address producer;
        uint32 handoffs;
        uint32 checkpoints;
        address custodian;
        uint64 lastLocation;
        int32 lastTemperature;
        bytes32 metadata;
    }

    mapping(uint256 id => Item) public items;
    mapping(address party => uint256) public produced;
    mapping(address party => uint256) public sent;
    mapping(address party => uint256) public received;
    mapping(address party => uint256) public inspected;

    event Registered(uint256 indexed id, address indexed producer, bytes32 metadata);
    event CustodyTransferred(uint256 indexed id, address indexed from, address indexed to);
    event Checkpoint(uint256 indexed id, address indexed by, uint64 location, int32 temperature);

    function register(uint256 id, bytes32 metadata) external {
        Item storage it = items[id];
        require(it.producer == address(0), "supply: id taken");
        it.producer = msg.sender;
        it.custodian = msg.sender;
        it.metadata = metadata;
        produced[msg.sender] += 1;
        emit Registered(id, msg.sender, metadata);
    }

    function transferCustody(uint256 id, address to) external {
        Item storage it = items[id];
        require(it.custodian == msg.sender, "supply: not the custodian");
        require(to != address(0) && to != msg.sender, "supply: bad recipient");
        it.custodian = to;
        it.handoffs += 1;
        sent[msg.sender] += 1;
        received[to] += 1;
        emit CustodyTransferred(id, msg.sender, to);
    }

    function checkpoint(uint256 id, uint64 location, int32 temperature) external {
        Item storage it = items[id];
        require(it.producer != address(0), "supply: no such item");
        it.checkpoints += 1;
        it.lastLocation = location;
        it.lastTemperature = temperature;
        inspected[msg.sender] += 1;
        emit Checkpoint(id, msg.sender, location, temperature);
    }
}
