# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What each Docker Engine release can do: the Engine API version each network feature needs (gates), and the
one check that refuses, before anything changes, an option the engine at hand cannot honour."""
