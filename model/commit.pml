/*
 * The exactly-once commit protocol of the s3 and file sinks (issue 12), in Promela for spin.
 * scripts/check-model.sh checks it: the protocol must pass, and each known-bad variant below
 * must fail on the property it breaks, so the model is shown able to fail.
 *
 * One daemon reads a log of N posts in batches of 1-2 posts. Normalization rejects some posts
 * (any subset, chosen once: a replay rejects the same ones); a batch's rejects go to its error
 * object, the rest to its data object, each written only when not empty. The daemon may crash
 * between any two of its steps, at most MAXCRASH times; every start, the first too, runs
 * recovery before reading. A crash loses the process's memory; the next process has a new
 * writer id (the crash count), and a batch's keys are derived from (writer id, sequence).
 *
 * S3 is strongly consistent: each request is one atomic step on the state below.
 *   - an object holds a set of posts. PUT carries If-None-Match: * and is refused (412) when
 *     the key exists. A write may land and its answer be lost (at most MAXLOST times); the
 *     retry gets 412, which the daemon takes as success.
 *   - a multipart upload is create, part, complete; only complete makes the object visible (a
 *     conditional write like PUT, its answer lost the same way). A failed part makes the daemon
 *     abort the upload and start again; when that abort fails too, the upload is abandoned: kept
 *     in memory, saved with the next checkpoint (unfinished_uploads) and aborted later.
 *   - HEAD, DELETE, and abort of every unfinished upload of exactly one key.
 *   - the checkpoint is one object, written atomically (its own lost answers are not modelled).
 * At most MAXFAIL failures: a part (whose abort then succeeds or fails), a listed upload's abort.
 *
 * Properties, each an assert on a flag named for it:
 *   duplicate  no post is in two objects: checked at every object write and at the end;
 *   lost       between any two steps every post before the checkpoint's cursor is in an
 *              object; at the end (log read, shutdown checkpoint written) every post is in one;
 *   leaked     at the end every unfinished multipart upload is listed in the checkpoint;
 *   foreign    a 412 only ever answers our own earlier attempt (the object holds our posts).
 *
 * Variants (spin -DNAME), each expected to fail:
 *   TODAY         today's protocol: objects (random keys), then the checkpoint: duplicate;
 *   NO_ROLLBACK   recovery keeps a cut-off batch's error object: duplicate;
 *   COMMIT_FIRST  the intent checkpoint already carries the batch's cursor: lost;
 *   NO_ABORT      recovery does not abort the intent's uploads: leaked;
 *   LATE_WRITE    not a protocol change but an assumption: a PUT the dead process had sent lands
 *                 after recovery's HEAD (a partitioned or not quite dead process): duplicate.
 */

#ifndef N
#define N 4            /* posts in the log (at most 7: a set of posts is a byte) */
#endif
#ifndef MAXCRASH
#define MAXCRASH 2
#endif
#ifndef MAXLOST
#define MAXLOST 1
#endif
#ifndef MAXFAIL
#define MAXFAIL 2
#endif

#define ERR 0
#define DATA 1
#define WRITERS (MAXCRASH + 1)
#define NKEYS (WRITERS * N * 2)
#define KEY(w, s, kind) ((((w) * N) + (s)) * 2 + (kind))
#define ALL ((1 << N) - 1)
#define BELOW(c) ((1 << (c)) - 1)
#define EXISTS 128

/* S3 */
byte obj[NKEYS];       /* 0: no object; else EXISTS | the posts it holds */
byte upl[NKEYS];       /* multipart uploads of the key, neither completed nor aborted */
byte in_s3;            /* the posts in some object */

/* The checkpoint object */
byte ck_cursor;        /* every post before it is in an object */
byte ck_seq;           /* the next batch's sequence number */
bool ck_intent;        /* the batch being written: */
byte ck_iw;            /*   its writer id, */
byte ck_iseq;          /*   sequence number, */
bool ck_ierr;          /*   whether it has an error object, */
bool ck_idata;         /*   whether it has a data object, */
byte ck_icursor;       /*   the cursor once all its objects exist */
byte ck_unf[NKEYS];    /* unfinished_uploads, counted per key */

byte rejects;          /* the posts normalization rejects */

byte crashes;
byte lost_answers;
byte failures;

bool duplicate;
bool lost;
bool leaked;
bool foreign;

#ifdef LATE_WRITE
bool late;             /* a PUT of the dead process still on its way */
byte late_key;
byte late_posts;
#endif

byte say_i;            /* for the trail's messages only: always 0 between steps */

/* Trail messages (spin -t): the objects and posts by name. */
inline say_object(key) {
  if
  :: (key) % 2 == ERR -> printf("error object of process %d batch %d", (key) / (2 * N), ((key) / 2) % N)
  :: else -> printf("data object of process %d batch %d", (key) / (2 * N), ((key) / 2) % N)
  fi
}

inline say_posts(posts) {
  printf("posts {");
  for (say_i : 0 .. N - 1) {
    if
    :: (posts) & (1 << say_i) -> printf(" %d", say_i)
    :: else -> skip
    fi
  }
  say_i = 0;
  printf(" }")
}

/* One conditional write landing (PUT, or complete of a multipart upload); inside a d_step. */
inline s3_create(key, posts) {
  if
  :: obj[key] != 0 ->
    printf("  412 for the "); say_object(key); printf(": our own earlier write\n");
    foreign = (obj[key] != (EXISTS | (posts)));
    assert(!foreign)
  :: else ->
    printf("  "); say_object(key); printf(" written: "); say_posts(posts);
    printf("; already in S3: "); say_posts(in_s3); printf("\n");
    duplicate = ((in_s3 & (posts)) != 0);
    assert(!duplicate);
    obj[key] = EXISTS | (posts);
    in_s3 = in_s3 | (posts)
  fi
}

/* Between any two steps: the invariant holds, a late write may land, the process may die. */
inline crash_point() {
  d_step {
    lost = ((in_s3 & BELOW(ck_cursor)) != BELOW(ck_cursor));
    assert(!lost)
  }
#ifdef LATE_WRITE
  if
  :: late ->
    d_step {
      printf("  the dead process's PUT lands now:\n");
      s3_create(late_key, late_posts);
      late = false; late_key = 0; late_posts = 0
    }
  :: true -> skip
  fi;
#endif
  if
  :: crashes < MAXCRASH -> goto crash
  :: true -> skip
  fi
}

/* The write landed, its answer was lost: the daemon retries and gets 412. */
inline maybe_answer_lost(key, posts) {
  if
  :: lost_answers < MAXLOST ->
    d_step { lost_answers++; printf("  the answer is lost; the daemon retries\n") }
    crash_point();
    d_step { s3_create(key, posts) }
  :: true -> skip
  fi
}

inline put_object(key, posts) {
#ifdef LATE_WRITE
  if
  :: crashes < MAXCRASH && !late ->
    d_step {
      late = true; late_key = key; late_posts = posts;
      printf("  PUT of the "); say_object(key); printf(" sent; the process dies before S3 has it\n")
    }
    goto crash
  :: true -> skip
  fi;
#endif
  d_step { s3_create(key, posts) }
  maybe_answer_lost(key, posts)
}

inline multipart_upload(key, posts) {
  do
  :: d_step { upl[key]++; printf("  multipart upload of the "); say_object(key); printf(" created\n") }
    crash_point();
    if
    :: failures < MAXFAIL ->
      failures++;
      if
      :: d_step { upl[key]--; printf("  a part fails; the upload is aborted; again\n") }
      :: d_step { unf[key]++; printf("  a part fails, its abort too: the upload is abandoned; again\n") }
      fi;
      crash_point()
    :: true ->
      printf("  part uploaded\n");
      crash_point();
      d_step { upl[key]--; s3_create(key, posts) }
      maybe_answer_lost(key, posts);
      break
    fi
  od
}

inline write_object(key, posts) {
  if
  :: put_object(key, posts)
  :: multipart_upload(key, posts)
  fi;
  crash_point()
}

/* One attempt at each listed upload of this key; an upload S3 no longer knows counts as aborted. */
inline abort_listed(key) {
  j = unf[key];
  do
  :: j == 0 -> break
  :: else ->
    if
    :: failures < MAXFAIL ->
      d_step { failures++; printf("  abort of a listed upload of the "); say_object(key); printf(" fails\n") }
    :: true ->
      d_step {
        printf("  listed upload of the "); say_object(key); printf(" aborted\n");
        if
        :: upl[key] > 0 -> upl[key]--
        :: else -> skip
        fi;
        unf[key]--
      }
    fi;
    j--;
    crash_point()
  od
}

inline abort_all_listed() {
  i = 0;
  do
  :: d_step {
      do
      :: i < NKEYS && unf[i] == 0 -> i++
      :: else -> break
      od
    };
    if
    :: i >= NKEYS -> i = 0; break
    :: else -> abort_listed(i); i++
    fi
  od
}

inline save_checkpoint(cursor, intent) {
  d_step {
    ck_cursor = cursor;
    ck_seq = seq;
    ck_intent = intent;
    if
    :: intent ->
      ck_iw = writer; ck_iseq = seq; ck_ierr = (errs != 0); ck_idata = (good != 0); ck_icursor = pos + size;
      printf("  checkpoint: cursor %d, intent: batch %d, cursor %d\n", ck_cursor, ck_iseq, ck_icursor)
    :: else ->
      ck_iw = 0; ck_iseq = 0; ck_ierr = false; ck_idata = false; ck_icursor = 0;
      printf("  checkpoint: cursor %d, no intent\n", ck_cursor)
    fi;
    for (t : 0 .. NKEYS - 1) { ck_unf[t] = unf[t] }
    t = 0
  }
}

active proctype daemon() {
  /* The process's memory, lost at a crash. */
  byte writer;         /* this process's id */
  byte pos;            /* the next post to read */
  byte committed;      /* every post before it is in an object that exists */
  byte seq;            /* the next batch's sequence number */
  byte unf[NKEYS];     /* abandoned uploads per key, to save with the checkpoint */
  byte size, errs, good, ekey, dkey;   /* the batch being written */
  bool err_there, data_there;          /* recovery's HEAD answers */
  byte i, j, t;

  select (rejects : 0 .. ALL);

recover:
  /* Load the checkpoint. */
  atomic {
    committed = ck_cursor;
    seq = ck_seq;
    for (t : 0 .. NKEYS - 1) { unf[t] = ck_unf[t] }
    t = 0;
    printf("process %d starts; recovery loads the checkpoint\n", writer)
  }
  crash_point();
  /* Abort the listed uploads (first, as the code does: independent of the intent). */
  abort_all_listed();
#ifndef TODAY
  /* Settle the intent: abort its keys' uploads, HEAD its keys, roll forward or back. */
  if
  :: ck_intent ->
    d_step { ekey = KEY(ck_iw, ck_iseq, ERR); dkey = KEY(ck_iw, ck_iseq, DATA) }
#ifndef NO_ABORT
    if
    :: ck_ierr -> d_step { upl[ekey] = 0; printf("  uploads of the intent's error key aborted\n") }; crash_point()
    :: else -> skip
    fi;
    if
    :: ck_idata -> d_step { upl[dkey] = 0; printf("  uploads of the intent's data key aborted\n") }; crash_point()
    :: else -> skip
    fi;
#endif
    d_step {
      err_there = (!ck_ierr || obj[ekey] != 0);
      if
      :: ck_ierr -> printf("  HEAD the error key: %d\n", err_there)
      :: else -> skip
      fi
    }
    crash_point();
    d_step {
      data_there = (!ck_idata || obj[dkey] != 0);
      if
      :: ck_idata -> printf("  HEAD the data key: %d\n", data_there)
      :: else -> skip
      fi
    }
    crash_point();
    if
    :: err_there && data_there ->
      d_step {
        printf("  every object of the intent exists: roll forward\n");
        committed = ck_icursor;
        seq = ck_iseq + 1
      }
    :: else ->
      printf("  an object of the intent is missing: roll back\n");
#ifndef NO_ROLLBACK
      if
      :: ck_ierr && err_there ->
        d_step {
          printf("  DELETE the "); say_object(ekey); printf("\n");
          in_s3 = in_s3 & ~(obj[ekey] & ALL);
          obj[ekey] = 0
        }
        crash_point()
      :: else -> skip
      fi;
      /* Unreachable with one daemon: the data object is written last, so it exists only when
       * the error object does, and then the batch rolls forward. Kept as the design has it. */
      if
      :: ck_idata && data_there ->
        d_step {
          printf("  DELETE the "); say_object(dkey); printf("\n");
          in_s3 = in_s3 & ~(obj[dkey] & ALL);
          obj[dkey] = 0
        }
        crash_point()
      :: else -> skip
      fi;
#endif
      seq = ck_iseq
    fi;
    d_step { ekey = 0; dkey = 0; err_there = false; data_there = false }
  :: else -> skip
  fi;
  save_checkpoint(committed, false);
  crash_point();
#endif
  pos = committed;

read:
  if
  :: pos == N -> goto shutdown
  :: else -> skip
  fi;
  /* Seal a batch of 1 or 2 posts. */
  if
  :: size = 1
  :: pos + 2 <= N -> size = 2
  fi;
  assert(seq < N);
  d_step {
    errs = (BELOW(pos + size) & ~BELOW(pos)) & rejects;
    good = (BELOW(pos + size) & ~BELOW(pos)) & ~rejects & ALL;
    ekey = KEY(writer, seq, ERR);
    dkey = KEY(writer, seq, DATA);
    printf("process %d seals batch %d: ", writer, seq); say_posts(errs | good);
    printf(", rejects "); say_posts(errs); printf("\n")
  }
#ifdef TODAY
  /* Today: the objects, then the checkpoint. */
  if
  :: errs != 0 -> write_object(ekey, errs)
  :: else -> skip
  fi;
  if
  :: good != 0 -> write_object(dkey, good)
  :: else -> skip
  fi;
  d_step { seq++; committed = pos + size; pos = committed; size = 0 }
  save_checkpoint(committed, false);
  crash_point();
#else
  /* 0. Another attempt at the aborts that failed before. */
  abort_all_listed();
  /* 1. The intent: this batch's keys and cursor; the same write commits the batch before. */
#ifdef COMMIT_FIRST
  save_checkpoint(pos + size, true);
#else
  save_checkpoint(committed, true);
#endif
  crash_point();
  /* 2. The objects, create-only: the error object first, then the data object. */
  if
  :: errs != 0 -> write_object(ekey, errs)
  :: else -> skip
  fi;
  if
  :: good != 0 -> write_object(dkey, good)
  :: else -> skip
  fi;
  /* 3. Committed in memory; the next checkpoint write persists it. */
  d_step { seq++; committed = pos + size; pos = committed; size = 0 }
  /* A poll cycle may end here, with a checkpoint of its own (no intent). */
  if
  :: save_checkpoint(committed, false); crash_point()
  :: true -> skip
  fi;
#endif
  d_step { errs = 0; good = 0; ekey = 0; dkey = 0 }
  goto read;

shutdown:
  /* The log is read: the shutdown checkpoint (no intent) persists the last commit. */
  save_checkpoint(committed, false);
  crash_point();
  d_step { /* end-state check */
    t = 0;          /* posts seen */
    i = 0;          /* posts seen twice */
    for (j : 0 .. NKEYS - 1) {
      i = i | (t & obj[j] & ALL);
      t = t | (obj[j] & ALL)
    }
    duplicate = (i != 0);
    assert(!duplicate);
    lost = (t != ALL || ck_cursor != N);
    assert(!lost);
    for (j : 0 .. NKEYS - 1) {
      leaked = leaked || (upl[j] > ck_unf[j])
    }
    assert(!leaked)
  }
  printf("log read: every post in exactly one object, no upload left unlisted\n");
  goto done;

crash:
  /* The process dies; the next one (a new writer id) starts with recovery. */
  atomic {
    printf("CRASH\n");
    crashes++;
    writer = crashes;
    pos = 0; committed = 0; seq = 0;
    size = 0; errs = 0; good = 0; ekey = 0; dkey = 0;
    err_there = false; data_there = false; i = 0; j = 0; t = 0;
    for (t : 0 .. NKEYS - 1) { unf[t] = 0 }
    t = 0
  }
  goto recover;

done:
  skip
}
