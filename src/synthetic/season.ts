/**
 * @module synthetic/season
 * Day-by-day simulation of a synthetic NBA season: a schedule (each team at most one game a
 * day), the 33 V9 features per player per game as known BEFORE tip-off (derived from earlier
 * games and latent state, never from the result), a sportsbook line for most players, and the
 * outcome. Points depend on the same context the features describe (matchup, pace, rest, form,
 * injuries), so a model trained on these rows has something real to learn, and the book line,
 * like a real one, is the single best predictor.
 *
 * Missing values follow the contract: only shot zones (18–20, no shot data) and the Vegas block
 * (25–27, no line) are ever NaN. Everything is seeded: same options, same output.
 */
import { V9_FEATURE_INDEX, V9_FEATURE_NAMES, type V9FeatureName } from '../features/contract.js';
import { type League, type Player, type Team, type TeamAbbr, generateLeague } from './league.js';
import { type Rng, chance, clamp, createRng, intBetween, normal, pick, round, shuffled, uniform } from './prng.js';

export const SPORTSBOOKS = ['DRAFTKINGS', 'FANDUEL', 'BETMGM', 'CAESARS', 'ESPNBET'] as const;
export type Sportsbook = (typeof SPORTSBOOKS)[number];

export interface LineQuote {
  /** Current line, a multiple of 0.5. */
  line: number;
  /** Opening line, a multiple of 0.5 (the feature store keeps the real one). */
  opening: number;
  sportsbook: Sportsbook;
  api: 'ODDS_API' | 'BETTINGPROS';
  /** True when the primary source had nothing and the secondary one was used. */
  wasFallback: boolean;
  /** Minutes between the quote and tip-off (Odds API only). */
  minutesBeforeGame: number | null;
}

export interface Game {
  gameId: string;
  gameDate: string;
  homeTeam: TeamAbbr;
  awayTeam: TeamAbbr;
}

export interface PlayerGame {
  gameDate: string;
  gameId: string;
  playerLookup: string;
  teamAbbr: TeamAbbr;
  opponentAbbr: TeamAbbr;
  isHome: boolean;
  /** The 33 V9 features in model column order; NaN = missing (only where the contract allows). */
  features: number[];
  /** Upstream quality score, 0–100. */
  featureQualityScore: number;
  line: LineQuote | null;
  /** The simulation's true scoring mean for this game (diagnostics; no model sees it). */
  expectedPoints: number;
  actual: { points: number; minutes: number; dnp: boolean };
}

export interface SeasonDay {
  date: string;
  games: Game[];
  playerGames: PlayerGame[];
}

export interface Season {
  seed: number;
  league: League;
  days: SeasonDay[];
}

export interface SeasonOptions {
  seed: number;
  /** First game date, YYYY-MM-DD. */
  startDate: string;
  days: number;
}

interface PastGame {
  day: number;
  opponent: TeamAbbr;
  points: number;
  minutes: number;
  dnp: boolean;
}

interface PlayerState {
  player: Player;
  history: PastGame[];
  /** Latent hot/cold form in points, a slow random walk the averages only partly reveal. */
  form: number;
  /** Pre-game injury risk, 0–1 (what an injury report would say). */
  injuryRisk: number;
}

interface TeamState {
  team: Team;
  lastPlayedDay: number | null;
  wins: number;
  games: number;
}

const DAY_MS = 86_400_000;
const WARMUP_GAMES = 8;

/** Feature values as a named record, turned into the V9 vector at the end. */
type FeatureRecord = Record<V9FeatureName, number>;

function dateToDay(date: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`expected a YYYY-MM-DD date, got '${date}'`);
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new RangeError(`not a date: '${date}'`);
  return Math.round(ms / DAY_MS);
}

function dayToDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function halfPoint(x: number): number {
  return Math.max(0.5, Math.round(x * 2) / 2);
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function std(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}

function vector(record: FeatureRecord): number[] {
  const out = new Array<number>(V9_FEATURE_NAMES.length);
  for (const name of V9_FEATURE_NAMES) out[V9_FEATURE_INDEX[name]] = record[name];
  return out;
}

/** Scoring context shared by the expected-points formula and the features that reveal it. */
interface Context {
  paceFactor: number;
  defFactor: number;
  home: boolean;
  /** True venue factor of the scoring mean (venueFactor). */
  venue: number;
  backToBack: boolean;
  restAdvantage: number;
  fatigue: number;
  usageSpike: number;
  zoneMismatch: number;
}

function expectedMinutes(state: PlayerState, ctx: Context): number {
  return state.player.minutesMean * (ctx.backToBack ? 0.95 : 1) * (1 - 0.12 * state.injuryRisk) * (1 + 0.02 * ctx.usageSpike);
}

function expectedPointsFor(state: PlayerState, ctx: Context, minutes: number): number {
  const p = state.player;
  const base = p.pointsPerMinute * minutes + state.form;
  const factor =
    ctx.paceFactor *
    ctx.defFactor *
    ctx.venue *
    (1 + 0.012 * ctx.restAdvantage) *
    (1 - 0.003 * (70 - ctx.fatigue)) *
    (1 + 0.035 * ctx.usageSpike) *
    (1 + 0.012 * ctx.zoneMismatch);
  return Math.max(0.3, base * factor);
}

/**
 * THE documented inefficiency of the synthetic world (issue 12: a lifecycle demo needs something a
 * better-trained model can really learn). Up to `from`, scorers score 2 % more at home and 2 % less
 * away, and the book prices exactly that: as sharp as a real book. From `from` on (the 2026-27
 * season) the venue effect is much larger (`home` / `away`: +16 % / -16 %; think of a schedule
 * change that ends long road trips for home teams), but the BOOK KEEPS PRICING THE OLD ±2 %: it
 * has not noticed the structural change. So its lines run low for home players and high for away
 * players. The V9 feature home_away shows it next to the line, so a model trained on recent weeks
 * learns to bet home players OVER and away players UNDER; a model trained on earlier seasons (the
 * demo champion, trained on rows from 2023-10-24 on) learned the old ±2 % and follows the line.
 * The player averages mix home and away games, so they do not give the change away. Both
 * directions get real edges, so the Vegas-bias and directional gates stay meaningful. The size is
 * chosen so a 14-day demo can decide; the honest edge (edge-3+ hit rates in the 60s) stays far
 * below what leakage gives (87-93 %, docs/lifecycle.md).
 */
export const VENUE_SHIFT = { from: '2026-10-01', home: 1.16, away: 0.84, bookHome: 1.02, bookAway: 0.98 } as const;

/** The true venue factor of a player-game's scoring mean (see VENUE_SHIFT). */
export function venueFactor(date: string, isHome: boolean): number {
  if (date < VENUE_SHIFT.from) return isHome ? VENUE_SHIFT.bookHome : VENUE_SHIFT.bookAway;
  return isHome ? VENUE_SHIFT.home : VENUE_SHIFT.away;
}

/** The mean the book prices: the true mean with the venue factor it believes in (see VENUE_SHIFT). */
export function bookMean(date: string, trueMean: number, isHome: boolean): number {
  return (trueMean * (isHome ? VENUE_SHIFT.bookHome : VENUE_SHIFT.bookAway)) / venueFactor(date, isHome);
}

/**
 * The season simulation as a stream of days. Each call to `next()` simulates one more day;
 * `generateSeason` and `trainingRows` both consume it, so they draw rows the same way.
 */
export class SeasonSimulator {
  readonly league: League;
  private readonly rng: Rng;
  private readonly players: PlayerState[];
  private readonly teams: Map<TeamAbbr, TeamState>;
  private readonly rosters: Map<TeamAbbr, PlayerState[]>;
  private day: number;

  constructor(seed: number, startDate: string) {
    this.league = generateLeague(seed);
    this.rng = createRng(seed, 'season');
    this.day = dateToDay(startDate);
    this.teams = new Map(this.league.teams.map((t) => [t.abbr, { team: t, lastPlayedDay: null, wins: 0, games: 0 }]));
    this.players = this.league.players.map((p) => ({ player: p, history: [], form: normal(this.rng, 0, 1.2), injuryRisk: 0 }));
    this.rosters = new Map(this.league.teams.map((t) => [t.abbr, this.players.filter((s) => s.player.team === t.abbr)]));
    this.warmUp();
  }

  /** The tail of a previous season, so that every average exists on opening night. */
  private warmUp(): void {
    const abbrs = this.league.teams.map((t) => t.abbr);
    for (const state of this.players) {
      for (let g = WARMUP_GAMES; g >= 1; g--) {
        const minutes = round(clamp(normal(this.rng, state.player.minutesMean, 4), 2, 46), 1);
        const mu = state.player.pointsPerMinute * minutes + state.form;
        const points = Math.max(0, Math.round(normal(this.rng, mu, 1.5 + 0.2 * Math.max(mu, 0))));
        const opponent = pick(this.rng, abbrs.filter((a) => a !== state.player.team));
        state.history.push({ day: this.day - 60 - 2 * g, opponent, points, minutes, dnp: false });
      }
    }
  }

  next(): SeasonDay {
    const day = this.day++;
    const date = dayToDate(day);
    const rng = this.rng;

    // Injury reports move overnight: occasional new knocks, old ones heal.
    for (const s of this.players) {
      if (chance(rng, 0.01 + 0.05 * s.player.fragility)) s.injuryRisk = round(uniform(rng, 0.25, 1), 2);
      else s.injuryRisk = s.injuryRisk < 0.08 ? 0 : round(s.injuryRisk * 0.75, 2);
    }

    // Schedule: 5–12 games, each team at most once (teams are drawn without replacement).
    // Rested teams are drawn first, so back-to-backs stay a minority, as in a real schedule.
    const gameCount = chance(rng, 0.1) ? intBetween(rng, 11, 12) : intBetween(rng, 5, 9);
    const drawOrder = shuffled(rng, this.league.teams.map((t) => t.abbr));
    const playedYesterday = (a: TeamAbbr) => this.teams.get(a)!.lastPlayedDay === day - 1 && !chance(rng, 0.15);
    const tired = new Set(drawOrder.filter(playedYesterday));
    const order = [...drawOrder.filter((a) => !tired.has(a)), ...drawOrder.filter((a) => tired.has(a))];
    const games: Game[] = [];
    for (let g = 0; g < gameCount; g++) {
      const awayTeam = order[2 * g];
      const homeTeam = order[2 * g + 1];
      games.push({ gameId: `${date.replaceAll('-', '')}_${awayTeam}_${homeTeam}`, gameDate: date, homeTeam, awayTeam });
    }

    // 1. Everything known before tip-off, for every game of the day.
    const pending: Array<{ state: PlayerState; pg: PlayerGame; ctx: Context }> = [];
    for (const game of games) {
      for (const [teamAbbr, oppAbbr, isHome] of [
        [game.homeTeam, game.awayTeam, true],
        [game.awayTeam, game.homeTeam, false],
      ] as const) {
        const team = this.teams.get(teamAbbr)!;
        const opp = this.teams.get(oppAbbr)!;
        const roster = this.rosters.get(teamAbbr)!;
        for (const state of roster) {
          const built = this.preGame(day, date, game, state, team, opp, roster, isHome);
          pending.push({ state, ...built });
        }
      }
    }

    // 2. Outcomes, then 3. history updates (after all features of the day are fixed).
    for (const { state, pg, ctx } of pending) {
      const dnp = chance(rng, 0.012 + 0.4 * state.injuryRisk ** 2);
      let minutes = 0;
      let points = 0;
      if (!dnp) {
        const expMin = expectedMinutes(state, ctx);
        minutes = round(clamp(normal(rng, expMin, 3 + 0.08 * expMin), 1, 48), 1);
        const mu = expectedPointsFor(state, ctx, minutes);
        points = Math.max(0, Math.round(normal(rng, mu, 1.4 + 0.2 * mu)));
      }
      pg.actual = { points, minutes, dnp };
      state.history.push({ day, opponent: pg.opponentAbbr, points, minutes, dnp });
      state.form = 0.96 * state.form + normal(rng, 0, 0.45);
    }
    for (const game of games) {
      const homeWinP = 0.5 + 0.02 * (this.teams.get(game.homeTeam)!.team.offRating - this.teams.get(game.awayTeam)!.team.offRating) + 0.06;
      const homeWon = chance(rng, clamp(homeWinP, 0.1, 0.9));
      for (const abbr of [game.homeTeam, game.awayTeam]) {
        const t = this.teams.get(abbr)!;
        t.games += 1;
        t.lastPlayedDay = day;
        if ((abbr === game.homeTeam) === homeWon) t.wins += 1;
      }
    }
    return { date, games, playerGames: pending.map((p) => p.pg) };
  }

  private preGame(
    day: number,
    date: string,
    game: Game,
    state: PlayerState,
    team: TeamState,
    opp: TeamState,
    roster: PlayerState[],
    isHome: boolean,
  ): { pg: PlayerGame; ctx: Context } {
    const rng = this.rng;
    const p = state.player;
    const played = state.history.filter((h) => !h.dnp);
    const last = (n: number) => played.slice(-n);
    const l5 = last(5);
    const l10 = last(10);
    const pts = (xs: PastGame[]) => xs.map((h) => h.points);
    const mins = (xs: PastGame[]) => xs.map((h) => h.minutes);

    const restDays = (t: TeamState) => (t.lastPlayedDay === null ? 3 : Math.min(3, day - t.lastPlayedDay - 1));
    const backToBack = team.lastPlayedDay === day - 1;
    const gamesLast7 = played.filter((h) => h.day >= day - 7).length;
    const minutesAvg10 = mean(mins(l10));
    const fatigue = round(clamp(100 - 7 * gamesLast7 - 12 * (backToBack ? 1 : 0) - 1.5 * Math.max(0, minutesAvg10 - 30) + normal(rng, 0, 3), 0, 100), 1);
    const restAdvantage = clamp(restDays(team) - restDays(opp), -3, 3);
    // Teammates likely out (high injury risk) free up shots for the rest.
    const usageSpike = round(
      roster.filter((s) => s !== state && s.player.rotationRank < 6 && s.injuryRisk >= 0.5).reduce((a, s) => a + 10 * s.player.usage, 0) *
        (p.rotationRank < 9 ? 1 : 0.3),
      3,
    );
    const oppDef = round(clamp(opp.team.defRating + normal(rng, 0, 0.8), 105, 120), 1);
    const oppPace = round(clamp(opp.team.pace + normal(rng, 0, 0.6), 95, 105), 1);
    const teamPace = round(clamp(team.team.pace + normal(rng, 0, 0.6), 95, 105), 1);
    const zoneMismatch = round(10 * (p.shotProfile.paint * opp.team.paintWeakness + p.shotProfile.three * opp.team.threeWeakness), 3);

    const ctx: Context = {
      paceFactor: (teamPace + oppPace) / 200,
      defFactor: oppDef / 112.5,
      home: isHome,
      venue: venueFactor(date, isHome),
      backToBack,
      restAdvantage,
      fatigue,
      usageSpike,
      zoneMismatch,
    };
    const expectedPoints = expectedPointsFor(state, ctx, expectedMinutes(state, ctx));

    // Shot zones: the player's profile with game-to-game sampling noise, sum kept ≤ 1.
    const hasShotData = !p.lacksShotData && !chance(rng, 0.03);
    let zones = [p.shotProfile.paint, p.shotProfile.midRange, p.shotProfile.three, p.shotProfile.freeThrow].map((z) =>
      clamp(z + normal(rng, 0, 0.015), 0.005, 0.95),
    );
    const zoneSum = zones.reduce((a, b) => a + b, 0);
    if (zoneSum > 0.999) zones = zones.map((z) => (z * 0.999) / zoneSum);
    zones = zones.map((z) => Math.floor(z * 1000) / 1000);

    // The book knows the true mean well (better than the averages do), as real books do; from
    // VENUE_SHIFT.from it misses the new venue effect (see there). No extra random draws.
    let line: LineQuote | null = null;
    if (!chance(rng, p.noLineRate)) {
      const current = halfPoint(bookMean(date, expectedPoints, isHome) + normal(rng, 0, 0.7));
      const opening = halfPoint(current + normal(rng, 0, 0.7));
      const api = chance(rng, 0.85) ? 'ODDS_API' : 'BETTINGPROS';
      const r = rng.next();
      const sportsbook: Sportsbook = r < 0.45 ? 'DRAFTKINGS' : r < 0.75 ? 'FANDUEL' : r < 0.87 ? 'BETMGM' : r < 0.95 ? 'CAESARS' : 'ESPNBET';
      line = {
        line: current,
        opening,
        sportsbook,
        api,
        wasFallback: api === 'BETTINGPROS',
        minutesBeforeGame: api === 'ODDS_API' ? intBetween(rng, 20, 600) : null,
      };
    }

    const seasonAvg = mean(pts(played));
    const vsOpp = played.filter((h) => h.opponent === opp.team.abbr);
    const avg5 = mean(pts(l5));
    const avg10 = mean(pts(l10));
    const features: FeatureRecord = {
      points_avg_last_5: round(avg5, 2),
      points_avg_last_10: round(avg10, 2),
      points_avg_season: round(seasonAvg, 2),
      points_std_last_10: round(std(pts(l10)), 3),
      games_in_last_7_days: gamesLast7,
      fatigue_score: fatigue,
      shot_zone_mismatch_score: zoneMismatch,
      pace_score: round((teamPace + oppPace) / 2 - 100, 2),
      usage_spike_score: usageSpike,
      rest_advantage: restAdvantage,
      injury_risk: state.injuryRisk,
      recent_trend: round(avg5 - avg10, 2),
      minutes_change: round(mean(mins(last(3))) - minutesAvg10, 2),
      opponent_def_rating: oppDef,
      opponent_pace: oppPace,
      home_away: isHome ? 1 : 0,
      back_to_back: backToBack ? 1 : 0,
      playoff_game: 0,
      pct_paint: hasShotData ? zones[0] : Number.NaN,
      pct_mid_range: hasShotData ? zones[1] : Number.NaN,
      pct_three: hasShotData ? zones[2] : Number.NaN,
      pct_free_throw: zones[3],
      team_pace: teamPace,
      team_off_rating: round(clamp(team.team.offRating + normal(rng, 0, 0.8), 100, 125), 1),
      team_win_pct: team.games === 0 ? 0.5 : round(team.wins / team.games, 3),
      vegas_points_line: line ? line.line : Number.NaN,
      vegas_opening_line: line ? line.opening : Number.NaN,
      vegas_line_move: line ? line.line - line.opening : Number.NaN,
      has_vegas_line: line ? 1 : 0,
      avg_points_vs_opponent: round(vsOpp.length > 0 ? mean(pts(vsOpp)) : seasonAvg, 2),
      games_vs_opponent: vsOpp.length,
      minutes_avg_last_10: round(minutesAvg10, 2),
      ppm_avg_last_10: round(pts(l10).reduce((a, b) => a + b, 0) / Math.max(1, mins(l10).reduce((a, b) => a + b, 0)), 4),
    };

    const quality = round(clamp(97 - (hasShotData ? 0 : 8) - (line ? 0 : 12) - 4 * state.injuryRisk + normal(rng, 0, 1.5), 40, 100), 1);
    const pg: PlayerGame = {
      gameDate: date,
      gameId: game.gameId,
      playerLookup: p.playerLookup,
      teamAbbr: team.team.abbr,
      opponentAbbr: opp.team.abbr,
      isHome,
      features: vector(features),
      featureQualityScore: quality,
      line,
      expectedPoints: round(expectedPoints, 3),
      actual: { points: 0, minutes: 0, dnp: false }, // filled in once the game is played
    };
    return { pg, ctx };
  }
}

/** A season of `days` consecutive game days from `startDate`. */
export function generateSeason(options: SeasonOptions): Season {
  if (!Number.isInteger(options.days) || options.days < 0) throw new RangeError(`days must be a non-negative integer, got ${options.days}`);
  const sim = new SeasonSimulator(options.seed, options.startDate);
  const days: SeasonDay[] = [];
  for (let i = 0; i < options.days; i++) days.push(sim.next());
  return { seed: options.seed, league: sim.league, days };
}

export interface TrainingSet {
  featureNames: readonly V9FeatureName[];
  /** One V9-ordered vector per row; NaN = missing. */
  features: number[][];
  /** Actual points (the target). */
  points: number[];
}

/** Season the training stream starts from (any fixed date keeps it reproducible). */
export const TRAINING_START_DATE = '2023-10-24';

/**
 * `rows` training rows: the player-games of a simulated season in order, DNPs left out (a
 * DNP says nothing about scoring, and the original training set excluded them).
 */
export function trainingRows(options: { seed: number; rows: number }): TrainingSet {
  if (!Number.isInteger(options.rows) || options.rows < 0) throw new RangeError(`rows must be a non-negative integer, got ${options.rows}`);
  const sim = new SeasonSimulator(options.seed, TRAINING_START_DATE);
  const features: number[][] = [];
  const points: number[] = [];
  while (features.length < options.rows) {
    for (const pg of sim.next().playerGames) {
      if (pg.actual.dnp) continue;
      features.push(pg.features);
      points.push(pg.actual.points);
      if (features.length === options.rows) break;
    }
  }
  return { featureNames: V9_FEATURE_NAMES, features, points };
}
