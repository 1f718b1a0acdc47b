# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Docker network resource, from module options to engine requests.

spec: the argument spec and the one normalised shape of a network (wanted
and current); validate: the checks of a wanted set before anything changes;
plan: the pure planner (wanted against current, ordered steps with reasons);
core: reading the engine, predicting (check mode) and applying a plan without
losing endpoints; bulk: many networks in one run (defaults, purge);
info: describing a network as the info module returns it; hostcheck: what a
network needs of the host's kernel and addresses.
"""
