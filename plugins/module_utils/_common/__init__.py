# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module shares, whatever its resource.

errors: the one error family module_utils raises (each error names its field
path and the fix); runner: the one place a module turns a result or an error
into Ansible's exit calls; hostargs: the host_* modules' common options and
the range checks of the numbers netlink packs.
"""
