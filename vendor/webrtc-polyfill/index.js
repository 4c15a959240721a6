// No WebRTC on the server: bittorrent-tracker and WebTorrent see these as absent and use TCP/uTP/HTTP/UDP only.
export const RTCPeerConnection = undefined;
export const RTCSessionDescription = undefined;
export const RTCIceCandidate = undefined;
export const RTCIceTransport = undefined;
export const RTCDataChannel = undefined;
export const RTCSctpTransport = undefined;
export const RTCDtlsTransport = undefined;
export const RTCCertificate = undefined;
export default {};
