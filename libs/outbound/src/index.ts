export { OutboundPolicy, STRICT_OUTBOUND_POLICY } from './outbound-policy';
export { checkOutbound, checkOutboundUrl, systemLookup, CheckedDestination, OutboundUrl, HostLookup } from './check-outbound';
export { classifyAddress, AddressClass, ClassifiedAddress } from './address-class';
export { parseIp, formatIp, IpAddress } from './ip-address';
export { parseCidr, Cidr } from './cidr';
export { OutboundError, OutboundErrorCode, OUTBOUND_ERROR_CODES } from './outbound.errors';
