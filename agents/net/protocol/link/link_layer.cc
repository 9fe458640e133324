#include "agents/net/protocol/link/link_layer.h"

#include "agents/net/protocol/ip/anomaly_format.h"
#include "common/byte_reader.h"

namespace beffroi::net::link {
namespace {

// IEEE 802.3 §3.2.6: values up to 1500 are a length (802.3 + LLC), from 0x0600 an ethertype.
constexpr std::uint16_t kMinEthertype = 0x0600;
constexpr std::uint16_t kEthertypeIpv4 = 0x0800;
constexpr std::uint16_t kEthertypeIpv6 = 0x86DD;
constexpr std::uint16_t kTpid8021Q = 0x8100;   // IEEE 802.1Q customer tag
constexpr std::uint16_t kTpid8021Ad = 0x88A8;  // IEEE 802.1ad service tag
constexpr std::uint16_t kTpidQinQ = 0x9100;    // pre-802.1ad vendor QinQ tag
constexpr std::uint16_t kVlanIdMask = 0x0FFF;  // IEEE 802.1Q §9.6: low 12 bits of the TCI

constexpr std::size_t kEthernetHeaderLength = 14;  // dst(6) src(6) type(2)
constexpr std::size_t kSllHeaderLength = 16;       // pcap-linktype(7) LINUX_SLL
constexpr std::size_t kSllProtocolOffset = 14;
constexpr std::size_t kSll2HeaderLength = 20;  // pcap-linktype(7) LINUX_SLL2, protocol first
constexpr std::size_t kLoopbackHeaderLength = 4;

// Address families in the loopback header: AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD,
// OpenBSD), 28 (FreeBSD, DragonFly) or 30 (macOS) -- tcpdump's print-null.c accepts all three.
constexpr std::uint32_t kBsdAfInet = 2;
constexpr std::uint32_t kBsdAfInet6Bsd = 24;
constexpr std::uint32_t kBsdAfInet6FreeBsd = 28;
constexpr std::uint32_t kBsdAfInet6Darwin = 30;

struct NamedLinkType {
  std::uint32_t dlt;
  std::string_view name;
};

// Names as pcap_datalink_val_to_name() spells them, for the types seen in the field.
constexpr NamedLinkType kLinkTypeNames[] = {
    {0, "NULL"},
    {1, "EN10MB"},
    {6, "IEEE802"},
    {8, "SLIP"},
    {9, "PPP"},
    {10, "FDDI"},
    {11, "ATM_RFC1483"},
    {12, "RAW"},
    {14, "RAW"},
    {50, "PPP_SERIAL"},
    {51, "PPP_ETHER"},
    {101, "RAW"},
    {104, "C_HDLC"},
    {105, "IEEE802_11"},
    {107, "FRELAY"},
    {108, "LOOP"},
    {109, "ENC"},
    {113, "LINUX_SLL"},
    {117, "PFLOG"},
    {119, "PRISM_HEADER"},
    {122, "IP_OVER_FC"},
    {127, "IEEE802_11_RADIO"},
    {143, "DOCSIS"},
    {163, "IEEE802_11_RADIO_AVS"},
    {166, "PPP_PPPD"},
    {187, "BLUETOOTH_HCI_H4"},
    {189, "USB_LINUX"},
    {192, "PPI"},
    {195, "IEEE802_15_4_WITHFCS"},
    {197, "ERF"},
    {201, "BLUETOOTH_HCI_H4_WITH_PHDR"},
    {209, "IPMB_LINUX"},
    {215, "IEEE802_15_4_NONASK_PHY"},
    {220, "USB_LINUX_MMAPPED"},
    {226, "IPNET"},
    {227, "CAN_SOCKETCAN"},
    {228, "IPV4"},
    {229, "IPV6"},
    {239, "NFLOG"},
    {242, "IPOIB"},
    {249, "USBPCAP"},
    {251, "BLUETOOTH_LE_LL"},
    {252, "WIRESHARK_UPPER_PDU"},
    {253, "NETLINK"},
    {254, "BLUETOOTH_LINUX_MONITOR"},
    {256, "BLUETOOTH_LE_LL_WITH_PHDR"},
    {258, "PKTAP"},
    {266, "USB_DARWIN"},
    {274, "ETHERNET_MPACKET"},
    {276, "LINUX_SLL2"},
    {279, "EBHSCR"},
    {280, "VPP_DISPATCH"},
};

bool IsVlanTpid(std::uint16_t type) {
  return type == kTpid8021Q || type == kTpid8021Ad || type == kTpidQinQ;
}

LinkOutcome Truncated(AnomalySink& anomalies, const char* what, std::size_t need,
                      std::size_t have) {
  ReportAnomalyF(anomalies, "link.truncated", "%s needs %zu bytes, %zu captured", what, need, have);
  return LinkOutcome::kMalformed;
}

// Walks VLAN tags from `type` on, then classifies the final ethertype. Shared by Ethernet and
// the cooked captures, whose protocol field can also be a TPID when the tag was not offloaded.
LinkOutcome WalkEthertypes(ByteReader& reader, std::uint16_t type, std::uint8_t max_vlan_tags,
                           LinkFrame& out, AnomalySink& anomalies) {
  for (std::uint8_t tags = 0; IsVlanTpid(type); ++tags) {
    if (tags >= max_vlan_tags) {
      ReportAnomalyF(anomalies, "link.vlan_depth", "more than %u stacked VLAN tags",
                     static_cast<unsigned>(max_vlan_tags));
      return LinkOutcome::kMalformed;
    }
    // Each tag: TCI(2) then the next type(2), IEEE 802.1Q §9.
    if (4 > reader.remaining()) return Truncated(anomalies, "VLAN tag", 4, reader.remaining());
    std::uint16_t tci = 0;
    std::uint16_t next = 0;
    (void)reader.ReadU16Be(tci);
    (void)reader.ReadU16Be(next);
    if (out.vlan_count < kMaxKeptVlanIds) out.vlan[out.vlan_count++] = tci & kVlanIdMask;
    type = next;
  }
  out.ethertype = type;
  out.network = reader.Rest();
  if (type == kEthertypeIpv4) {
    out.ip_version = 4;
    return LinkOutcome::kIp;
  }
  if (type == kEthertypeIpv6) {
    out.ip_version = 6;
    return LinkOutcome::kIp;
  }
  // ARP, LLDP, MPLS, PPPoE, 802.3 length frames (< kMinEthertype) with LLC: not IP.
  return LinkOutcome::kNotIp;
}

LinkOutcome DecodeEthernet(ByteReader reader, std::uint8_t max_vlan_tags, LinkFrame& out,
                           AnomalySink& anomalies) {
  if (kEthernetHeaderLength > reader.remaining()) {
    return Truncated(anomalies, "Ethernet header", kEthernetHeaderLength, reader.remaining());
  }
  std::uint16_t type = 0;
  (void)reader.Skip(12);  // destination and source MAC
  (void)reader.ReadU16Be(type);
  if (type < kMinEthertype) {
    out.network = reader.Rest();
    return LinkOutcome::kNotIp;
  }
  return WalkEthertypes(reader, type, max_vlan_tags, out, anomalies);
}

LinkOutcome DecodeCooked(ByteReader reader, std::size_t header_length, std::size_t protocol_offset,
                         std::uint8_t max_vlan_tags, LinkFrame& out, AnomalySink& anomalies) {
  if (header_length > reader.remaining()) {
    return Truncated(anomalies, "Linux cooked header", header_length, reader.remaining());
  }
  std::uint16_t protocol = 0;
  (void)reader.Seek(protocol_offset);
  (void)reader.ReadU16Be(protocol);
  (void)reader.Seek(header_length);
  // Below 0x0600 the field is a Linux pseudo-protocol (LINUX_SLL_P_802_2, netlink family, ...).
  if (protocol < kMinEthertype) {
    out.network = reader.Rest();
    return LinkOutcome::kNotIp;
  }
  return WalkEthertypes(reader, protocol, max_vlan_tags, out, anomalies);
}

std::uint8_t LoopbackFamilyToVersion(std::uint32_t family) {
  if (family == kBsdAfInet) return 4;
  if (family == kBsdAfInet6Bsd || family == kBsdAfInet6FreeBsd || family == kBsdAfInet6Darwin) {
    return 6;
  }
  return 0;
}

LinkOutcome DecodeLoopback(ByteReader reader, bool either_order, LinkFrame& out,
                           AnomalySink& anomalies) {
  if (kLoopbackHeaderLength > reader.remaining()) {
    return Truncated(anomalies, "loopback header", kLoopbackHeaderLength, reader.remaining());
  }
  std::uint32_t family_be = 0;
  std::uint32_t family_le = 0;
  ByteReader le_reader = reader;
  (void)reader.ReadU32Be(family_be);
  (void)le_reader.ReadU32Le(family_le);
  // DLT_NULL holds the family in the byte order of the capturing host, which the file does not
  // record; the two readings never collide for the small AF_* values.
  std::uint8_t version = LoopbackFamilyToVersion(family_be);
  if (version == 0 && either_order) version = LoopbackFamilyToVersion(family_le);
  out.network = reader.Rest();
  if (version == 0) return LinkOutcome::kNotIp;
  out.ip_version = version;
  return LinkOutcome::kIp;
}

}  // namespace

bool IsSupportedLinkType(std::uint32_t dlt) {
  switch (dlt) {
    case kDltNull:
    case kDltEn10Mb:
    case kDltRaw:
    case kDltRawBsd:
    case kLinktypeRaw:
    case kDltLoop:
    case kDltLinuxSll:
    case kDltIpv4:
    case kDltIpv6:
    case kDltLinuxSll2:
      return true;
    default:
      return false;
  }
}

std::string_view LinkTypeName(std::uint32_t dlt) {
  for (const NamedLinkType& entry : kLinkTypeNames) {
    if (entry.dlt == dlt) return entry.name;
  }
  // libpcap reserves 147..162 for private use (DLT_USER0..15).
  static constexpr std::string_view kUserNames[] = {
      "USER0", "USER1", "USER2",  "USER3",  "USER4",  "USER5",  "USER6",  "USER7",
      "USER8", "USER9", "USER10", "USER11", "USER12", "USER13", "USER14", "USER15"};
  if (dlt >= 147 && dlt <= 162) return kUserNames[dlt - 147];
  return "unknown";
}

LinkOutcome DecodeLink(std::uint32_t dlt, std::span<const std::uint8_t> frame,
                       std::uint8_t max_vlan_tags, LinkFrame& out, AnomalySink& anomalies) {
  out = LinkFrame{};
  const ByteReader reader(frame);
  switch (dlt) {
    case kDltEn10Mb:
      return DecodeEthernet(reader, max_vlan_tags, out, anomalies);
    case kDltLinuxSll:
      return DecodeCooked(reader, kSllHeaderLength, kSllProtocolOffset, max_vlan_tags, out,
                          anomalies);
    case kDltLinuxSll2:
      return DecodeCooked(reader, kSll2HeaderLength, 0, max_vlan_tags, out, anomalies);
    case kDltNull:
      return DecodeLoopback(reader, /*either_order=*/true, out, anomalies);
    case kDltLoop:
      return DecodeLoopback(reader, /*either_order=*/false, out, anomalies);
    case kDltRaw:
    case kDltRawBsd:
    case kLinktypeRaw:
      out.network = frame;  // the IP layer reads the version nibble
      return LinkOutcome::kIp;
    case kDltIpv4:
      out.network = frame;
      out.ip_version = 4;
      return LinkOutcome::kIp;
    case kDltIpv6:
      out.network = frame;
      out.ip_version = 6;
      return LinkOutcome::kIp;
    default:
      return LinkOutcome::kUnsupported;
  }
}

}  // namespace beffroi::net::link
