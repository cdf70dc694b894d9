"""Fixed array layouts shared by the compiler, the numba kernel and the exact enumerator.

Module-level integers are compile-time constants for numba. The state of one crisis path is a
float64 vector of length ``SDIM``; parameters of one posterior draw a vector of length ``NPAR``;
the game is compiled into the named tables of :class:`redline.escalation.kernel.tables.Tables`,
whose 2-D tables have the fields below as column offsets (``T.action[a, F_RUNG]``).
"""
from __future__ import annotations

NA = 10         # actor slots (schema.MAX_ACTORS)
NST = 8         # stock slots
NLEV = 12       # lever slots
NDUR = 8        # duration bins
NCOMBO = 4      # partner participation combinations (bit k: partner slot k takes part)
NVAR = 4        # lever variants of raid effects (slots after the combos)
NOUT = 3        # contained, damaging, severe
MAX_ACTIONS = 32    # actions per actor (compile-time limit; size of the per-actor choice buffers)
NRING = 4       # times of the latest moves at rung >= the war rule's min_rung kept in the state

# ---- the ladder ----------------------------------------------------------------------
NRUNG = 9           # rungs 0 .. 8
RUNG_SIGNAL = 1     # signalling: leaves a pending provocation pending; rungs <= 1 are quiet
RUNG_HOSTILE = 2    # actions on rung >= 2 are hostile; a move is never misread below it
RUNG_FRONT = 3      # a proxy whose posture is at least this rung keeps its front active
RUNG_WAR = 8        # sustained campaign: a move on it is a regional war; never misread into it
OUT_CONTAINED, OUT_DAMAGING, OUT_SEVERE = 0, 1, 2
NUC_CONSTRAINED, NUC_ENRICHING, NUC_BREAKOUT = 0.0, 1.0, 2.0    # values of S[S_NUC]

# ---- state vector ----------------------------------------------------------------
S_G = 0                 # grievance (domestic pressure) per actor
S_D = S_G + NA          # deterrence deficit per actor (credibility = exp(-deficit))
S_PR = S_D + NA         # pending provocation: perceived rung (0 = none)
S_PS = S_PR + NA        # pending provocation: source actor (-1 = none)
S_LOSS = S_PS + NA      # cumulative loss points suffered
S_SEV = S_LOSS + NA     # severe hits suffered
S_POST = S_SEV + NA     # posture: rung of the actor's latest move
S_STK = S_POST + NA     # stocks
S_LEV = S_STK + NST     # lever intensities
S_PART = S_LEV + NLEV   # partner slots: took part in the last raid across their airspace (0/1)
S_PG = S_PART + 2       # partner slots: Iran's grievance for that participation
S_GAZA = S_PG + 2       # Gaza war on (1) or off (0)
S_CEASE = S_GAZA + 1    # a lever-made ceasefire is in force
S_NUC = S_CEASE + 1     # Iran's nuclear status 0, 1, 2
S_HIT = S_NUC + 1       # ring of the times of the last NRING moves at rung >= the war rule's min_rung [days]
S_NHI = S_HIT + NRING      # moves at rung >= min_rung made
S_NMOV = S_NHI + 1      # moves made
S_QUIET = S_NMOV + 1    # consecutive quiet rounds
S_TIME = S_QUIET + 1    # days elapsed
S_STATUS = S_TIME + 1   # 0 running, 1 regional war, 2 de-escalation, 3 horizon reached
S_LASTM = S_STATUS + 1  # last mover
S_LASTA = S_LASTM + 1   # last action (global index)
S_LASTHT = S_LASTA + 1  # target of the last move if it was hostile, else -1
S_LASTHOST = S_LASTHT + 1   # last move hostile (1) or not (0): the duration regime
S_DCOST = S_LASTHOST + 1    # defender interceptor cost suffered per actor [USD bn]
S_NORM = S_DCOST + NA       # precedent: highest rung recently used by or against each actor (decays)
S_FLAG = S_NORM + NA        # proxies put on the spot by a change in the Gaza war (share the initiative)
S_WARON = S_FLAG + NA       # the reported war rule has been met on this path (1); a report only, never read by a choice
S_WART = S_WARON + 1        # day the reported war rule was first met [days]
S_EPOCH = S_WART + 1        # absolute date (proleptic ordinal) of the clock's zero: the change-point reads date = epoch + time
S_NUCHIT = S_EPOCH + 1      # damage to Iran's nuclear programme (loss points of strikes on it; decays like grievance)
S_NUC0 = S_NUCHIT + 1       # Iran's nuclear status when the path started (P(breakout) counts paths that reach 2 from below)
S_STANCE = S_NUC0 + 1       # partner slots: stance of the latest decision (+1 joined the defence, -1 stayed out, 0 none)
S_BASING = S_STANCE + 2     # basing restricted by a partner (1, decays like grievance): US strikes on Iran cost more
S_IRAQP = S_BASING + 1      # Iraq's government presses for US withdrawal (1, decays like grievance)
S_DEFEND = S_IRAQP + 1      # the US deploys and uses missile defence for Israel and partners (1, decays like grievance)
SDIM = S_DEFEND + 1

ST_RUNNING, ST_WAR, ST_DEESC, ST_HORIZON = 0, 1, 2, 3

# ---- parameters of one draw -----------------------------------------------------------
P_LAM = 0       # rationality (logit precision)
P_ESC = 1       # weight of the intrinsic cost of climbing
P_THIRD = 2     # weight of third-party costs and policy-lever terms
P_RECIP = 3     # weight of reciprocity (answering a provocation in kind)
P_DET = 4       # weight of the deterrence deficit (restoring credibility)
P_DOM = 5       # weight of domestic pressure (grievance from losses)
P_GAZA = 6      # weight of the Gaza war as a motive
P_MIL = 7       # weight of the expected military effect
P_ECON = 8      # weight of economic cost
P_REPLY = 9     # weight of the harm expected from the adversary's reply (look-ahead)
P_EPS = 10      # misperception probability (one rung up)
P_RHO = 11      # chance that the target of a hostile move moves next
P_PREC = 12     # precedent: share of the cost of climbing that a recent precedent removes
P_BASE = 13     # NA base weights of who moves (normalised over movers)
P_DURH = P_BASE + NA    # NDUR duration-bin probabilities after a hostile move
P_DURQ = P_DURH + NDUR  # NDUR duration-bin probabilities after a quiet move
P_BREAK = P_DURQ + NDUR  # change-point: log multiplier of the cost of climbing from the change-point date on (0: no change)
P_TAU = P_BREAK + 1     # change-point date (proleptic ordinal; 1e9: none)
NPAR = P_TAU + 1
TAU_NONE = 1e9

DECISION_PARAMS = ("lambda", "w_escalation", "w_third_party", "w_reciprocity", "w_deterrence",
                   "w_domestic", "w_gaza", "w_military", "w_economic", "w_reply")

# ---- action fields (AF) ---------------------------------------------------------------
(F_ACTOR, F_RUNG, F_TARGET, F_HOSTILE, F_VIA, F_CAP, F_NUC, F_ECON, F_OIL, F_THIRD, F_DCOST, F_PROXYFRONT,
 F_OWNSTK, F_DEFSTK, F_TFAM, F_KIND, F_BASED, F_LVAR) = range(18)
NF = 18
# F_LVAR: a template that is not `via_partners` but has a lever variant of its own (Variant.templates)
# F_KIND: what a non-standard action does to the state (schema Action.effect)
K_NONE, K_JOIN, K_STAYOUT, K_RESTRICT, K_BREAKOUT, K_PRESS, K_DEFEND = 0, 1, 2, 3, 4, 5, 6
KIND_CODE = {None: K_NONE, "join-defence": K_JOIN, "stay-out": K_STAYOUT, "restrict-basing": K_RESTRICT,
             "breakout": K_BREAKOUT, "press-us-exit": K_PRESS, "defend-partners": K_DEFEND}

# ---- actor fields (ACT) ---------------------------------------------------------------
# C_RESOLVE and C_WARC hold proxies' values already blended with the patron's by autonomy.
# Roles are not a field: they are the integer table ``Tables.role`` with the codes ROLE_*.
(C_PATRON, C_AUTON, C_RESOLVE, C_WARC, C_GAZAM, C_OILS, C_FTGT, C_FLOSS, C_PLOGIT,
 C_GAZASENS, C_PSLOT, C_FAMILY, C_FIRSTA, C_NACT, C_HOST, C_INFL, C_INFLW) = range(17)
NC = 17
# C_HOST: the partner on whose territory the actor sits (hostile acts against it aggrieve the host; -1 none);
# C_INFL, C_INFLW: the actor whose grievance a partner partly shares, and the share (Iraq: Iran, 0.3)

# ---- roles (Tables.role, int64) ---------------------------------------------------------
ROLE_NONE, ROLE_DECIDE, ROLE_PROXY, ROLE_PARTNER, ROLE_PDECIDE = -1, 0, 1, 2, 3
ROLE_CODE = {"decide": ROLE_DECIDE, "proxy": ROLE_PROXY, "partner": ROLE_PARTNER}
# a partner with actions of its own (Jordan, the Gulf states, Iraq) compiles to ROLE_PDECIDE: it moves

# ---- globals (GP) ---------------------------------------------------------------------
(G_L0, G_L1, G_L2, G_GRR, G_GRL, G_GRHL, G_DEFHL, G_WARDAYS, G_WARCNT, G_WARMIN, G_QUIETN,
 G_DOWN, G_NUCH, G_NUCV, G_DEPL, G_PRET, G_PSLOT0, G_PSLOT1, G_GAZALEV, G_RAIDFAM, G_PRECHL,
 G_STANCE, G_BASINGC, G_PRESSC, G_DEFENDL, G_NUCB0, G_NUCBHIT, G_NUCBTHIRD) = range(28)
G_DUR = 28              # NDUR bin values [days]
G_WARW = G_DUR + NDUR   # NRUNG: chance that a reply on rung r turns the exchange into a regional war (rung 8: 1)
NG = G_WARW + NRUNG
