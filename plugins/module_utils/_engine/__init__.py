# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection to one Docker Engine, and what it says about its host.

client: the one Engine connection per run (connection options, API version,
the requests the modules make); host_info: shaping the engine's /version, /info
and default bridge into docker_host_info's result.
"""
