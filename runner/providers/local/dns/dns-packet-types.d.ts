// dns-packet's record-type table, which @types/dns-packet does not declare.
declare module 'dns-packet/types.js' {
  const types: { toType(name: string): number; toString(type: number): string };
  export default types;
}
