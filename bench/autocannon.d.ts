// Minimal types for the part of autocannon the benches use (@types/autocannon is not installed).
declare module 'autocannon' {
  interface RawRequest { method?: string; path?: string; headers?: Record<string, string>; body?: string }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    requests?: Array<RawRequest & { setupRequest?: (req: RawRequest) => RawRequest }>;
  }
  interface Histogram { average: number; p50: number; p99: number; p97_5: number }
  interface Result { requests: Histogram; latency: Histogram; '2xx': number; non2xx: number; errors: number; timeouts: number }
  export default function autocannon(options: Options): Promise<Result>;
}
