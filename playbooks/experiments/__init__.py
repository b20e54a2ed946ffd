"""Template experiments: a stage's reply template in several variants, assigned at random and
stably per case (:mod:`.assign`), judged by a test that stays valid however often staff look
(:mod:`.stats`), summed up for the board and stopped by leads (:mod:`.results`)."""
