/**
 * @module synthetic/league
 * A deterministic invented league: the 30 real NBA team abbreviations, 13 invented players each,
 * with the latent traits the season simulation draws from (scoring rate, minutes, usage, shot
 * profile, line coverage). Plain data; nothing here knows about features or tables.
 */
import { type Rng, clamp, createRng, normal, round, uniform } from './prng.js';

export const TEAM_ABBRS = [
  'ATL', 'BOS', 'BKN', 'CHA', 'CHI', 'CLE', 'DAL', 'DEN', 'DET', 'GSW',
  'HOU', 'IND', 'LAC', 'LAL', 'MEM', 'MIA', 'MIL', 'MIN', 'NOP', 'NYK',
  'OKC', 'ORL', 'PHI', 'PHX', 'POR', 'SAC', 'SAS', 'TOR', 'UTA', 'WAS',
] as const;

export type TeamAbbr = (typeof TEAM_ABBRS)[number];

export const PLAYERS_PER_TEAM = 13;

export interface Team {
  abbr: TeamAbbr;
  /** Possessions per 48 minutes, 95–105. */
  pace: number;
  /** Points scored per 100 possessions, 106–122. */
  offRating: number;
  /** Points allowed per 100 possessions, 105–120 (lower = better defence). */
  defRating: number;
  /** Share of opponent shots this defence concedes in the paint / from three (zone weakness). */
  paintWeakness: number;
  threeWeakness: number;
}

export interface ShotProfile {
  /** Shares of the player's points by zone; the four sum to ≤ 1 (the rest: untracked). */
  paint: number;
  midRange: number;
  three: number;
  freeThrow: number;
}

export interface Player {
  playerLookup: string;
  displayName: string;
  team: TeamAbbr;
  /** 0 = first option … 12 = end of bench. */
  rotationRank: number;
  /** Expected minutes when healthy. */
  minutesMean: number;
  /** True points per minute at league-average context. */
  pointsPerMinute: number;
  /** Latent scoring mean = minutesMean × pointsPerMinute. */
  scoringMean: number;
  /** Share of team possessions used, 0.10–0.35. */
  usage: number;
  shotProfile: ShotProfile;
  /** Probability that a book posts no line for this player on a given day. */
  noLineRate: number;
  /** The player never has shot-zone data (a rookie / call-up: shot zones missing, as in the store). */
  lacksShotData: boolean;
  /** Baseline proneness to injury, 0–1. */
  fragility: number;
}

export interface League {
  seed: number;
  teams: Team[];
  players: Player[];
}

const FIRST_NAMES = [
  'Aaron', 'Andre', 'Bennett', 'Caleb', 'Cedric', 'Damon', 'Darius', 'Elijah', 'Emeka', 'Felix',
  'Gavin', 'Hassan', 'Isaiah', 'Jalen', 'Jonah', 'Kareem', 'Keon', 'Lamar', 'Luka', 'Malik',
  'Marcus', 'Nikola', 'Omar', 'Otto', 'Pascal', 'Quentin', 'Rashad', 'Rudy', 'Santi', 'Terrell',
  'Tobias', 'Victor', 'Wendell', 'Xavier', 'Yusuf', 'Zion', 'Desmond', 'Trey', 'Moses', 'Cole',
];
const LAST_NAMES = [
  'Abernathy', 'Bamba', 'Calloway', 'Dembele', 'Ellison', 'Fontaine', 'Garrison', 'Holloway',
  'Ibeji', 'Jankovic', 'Kessler', 'Lindqvist', 'Mabry', 'Nwosu', 'Okafor', 'Petrakis', 'Quarles',
  'Rainier', 'Sabonov', 'Thibault', 'Udoka', 'Valdez', 'Whitlock', 'Yancey', 'Zeller', 'Ashby',
  'Brightwater', 'Castellanos', 'Drummond', 'Everhart', 'Farrow', 'Greaves', 'Hartsfield',
  'Iverson', 'Jessup', 'Kowalczyk', 'Lattimore', 'Montague', 'Northcutt', 'Ostrowski',
];

/** `LeBron James` → `lebronjames`: the platform's player_lookup normalisation. */
export function toPlayerLookup(displayName: string): string {
  return displayName.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Minutes by rotation slot, starters first (what a typical NBA rotation looks like). */
const MINUTES_BY_RANK = [35, 33, 31, 29, 27, 24, 21, 18, 16, 13, 10, 8, 6];

function makeTeam(rng: Rng, abbr: TeamAbbr): Team {
  return {
    abbr,
    pace: round(clamp(normal(rng, 100, 2.2), 95.5, 104.5), 2),
    offRating: round(clamp(normal(rng, 114, 3.2), 106, 122), 2),
    defRating: round(clamp(normal(rng, 112.5, 3.2), 105.5, 119.5), 2),
    paintWeakness: round(uniform(rng, -1, 1), 3),
    threeWeakness: round(uniform(rng, -1, 1), 3),
  };
}

function makeShotProfile(rng: Rng, rank: number): ShotProfile {
  // Unnormalised weights; big men lean paint, wings lean three. The 5th weight is untracked
  // scoring, so the four published shares sum to a bit under 1.
  const bigness = rng.next();
  const w = [
    0.25 + 0.45 * bigness + 0.1 * rng.next(),
    0.08 + 0.15 * rng.next(),
    0.4 - 0.3 * bigness + 0.15 * rng.next(),
    0.1 + 0.1 * rng.next() + (rank < 3 ? 0.05 : 0),
    0.01 + 0.04 * rng.next(),
  ];
  const total = w.reduce((a, b) => a + b, 0);
  const share = (x: number) => Math.floor((x / total) * 1000) / 1000; // floor keeps the sum ≤ 1
  return { paint: share(w[0]), midRange: share(w[1]), three: share(w[2]), freeThrow: share(w[3]) };
}

function makePlayer(rng: Rng, team: TeamAbbr, rank: number, taken: Set<string>): Player {
  let displayName = '';
  for (let attempt = 0; ; attempt++) {
    const first = FIRST_NAMES[Math.floor(rng.next() * FIRST_NAMES.length)];
    const last = LAST_NAMES[Math.floor(rng.next() * LAST_NAMES.length)];
    const suffix = attempt < 20 ? '' : ` ${['Jr', 'II', 'III', 'IV'][attempt % 4]}${attempt}`;
    displayName = `${first} ${last}${suffix}`;
    if (!taken.has(toPlayerLookup(displayName))) break;
  }
  const playerLookup = toPlayerLookup(displayName);
  taken.add(playerLookup);

  const minutesMean = round(clamp(MINUTES_BY_RANK[rank] + normal(rng, 0, 1.8), 4, 38), 2);
  // Stars score more per minute; the top slot can be a 25–32 ppg scorer.
  const ppmBase = 0.78 - 0.028 * rank;
  const pointsPerMinute = round(clamp(ppmBase + normal(rng, 0, 0.07), 0.22, 0.95), 4);
  return {
    playerLookup,
    displayName,
    team,
    rotationRank: rank,
    minutesMean,
    pointsPerMinute,
    scoringMean: round(minutesMean * pointsPerMinute, 3),
    usage: round(clamp(0.31 - 0.013 * rank + normal(rng, 0, 0.02), 0.1, 0.36), 4),
    shotProfile: makeShotProfile(rng, rank),
    // Books cover nearly every rotation player and about 40 % of the deep bench (≈ 15 % overall).
    noLineRate: rank < 9 ? 0.03 : 0.4,
    lacksShotData: rng.next() < 0.05,
    fragility: round(rng.next() ** 3, 4),
  };
}

/** The league for a seed: same seed, same teams and players, in TEAM_ABBRS × rank order. */
export function generateLeague(seed: number): League {
  const rng = createRng(seed, 'league');
  const teams = TEAM_ABBRS.map((abbr) => makeTeam(rng, abbr));
  const taken = new Set<string>();
  const players: Player[] = [];
  for (const team of teams) {
    for (let rank = 0; rank < PLAYERS_PER_TEAM; rank++) players.push(makePlayer(rng, team.abbr, rank, taken));
  }
  return { seed, teams, players };
}
