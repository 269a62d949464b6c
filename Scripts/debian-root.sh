# Shared by Scripts/deploy-chroot.sh and Scripts/fresh-clone-check.sh (sourced, not run): making a
# minimal Debian root with debootstrap, and mounting into it for a chroot run.

# The Debian mirror apt uses on this machine (DEBIAN_MIRROR overrides; else deb.debian.org).
debian_mirror() {
    if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
    local m
    m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        awk '$1 == "deb" && !/security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:.*debian\/?$/) { print $i; exit } }')
    [ -n "$m" ] || m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
        awk '$1 == "URIs:" && $2 ~ /debian\/?$/ && !/security/ { print $2; exit }')
    echo "${m:-http://deb.debian.org/debian}"
}

# make_debian_root DIR [PACKAGE,...]: debootstrap --variant=minbase (DEBIAN_SUITE, default
# bookworm) into DIR with the given extra packages, unless DIR already holds a root.
make_debian_root() {
    local root=$1 include=${2:-}
    if [ -f "$root/etc/debian_version" ]; then echo "using the Debian root in $root" >&2; return; fi
    local mirror; mirror=$(debian_mirror)
    echo "debootstrap --variant=minbase ${include:+--include=$include }${DEBIAN_SUITE:-bookworm} $root $mirror" >&2
    debootstrap --variant=minbase ${include:+--include="$include"} "${DEBIAN_SUITE:-bookworm}" "$root" "$mirror" \
        >"$root.debootstrap.log" 2>&1 ||
        { tail -20 "$root.debootstrap.log" >&2; echo "debootstrap failed (log: $root.debootstrap.log)" >&2; return 1; }
    rm -f "$root.debootstrap.log"
}

# bind_ro SOURCE ROOT: mount SOURCE read-only at the same path inside ROOT.
bind_ro() {
    mkdir -p "$2$1"
    mount --bind "$1" "$2$1"
    mount -o remount,bind,ro "$2$1"
}

# unmount_all ROOT: unmount everything mounted below ROOT, deepest first.
unmount_all() {
    local root; root=$(readlink -f "$1")
    mounts_below "$root" | sort -r | while read -r m; do umount "$m" || umount -l "$m"; done
}

# mounts_below ROOT: the mount points at or below ROOT (an absolute path without symlinks).
mounts_below() {
    findmnt -rn -o TARGET | awk -v r="$1" '$0 == r || index($0, r "/") == 1'
}

# remove_root ROOT: delete a root made here, after checking nothing is still mounted in it.
remove_root() {
    local root; root=$(readlink -f "$1")
    unmount_all "$root"
    if [ -n "$(mounts_below "$root")" ]; then
        echo "not removing $root: something is still mounted in it" >&2; return 1
    fi
    rm -rf --one-file-system "$root"
}
