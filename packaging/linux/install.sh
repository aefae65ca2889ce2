#!/bin/sh
# Make this BriefDesk folder part of the desktop, for the current user only (no root needed):
#   - a menu entry (~/.local/share/applications/briefdesk.desktop) that runs this folder's app,
#   - its icons (~/.local/share/icons/hicolor/<size>/apps/briefdesk.png),
#   - a `briefdesk` command (~/.local/bin/briefdesk, a link to the executable).
# The folder stays where it is: move it first if you want it elsewhere, then run this again.
#   ./install.sh              install (again)
#   ./install.sh --uninstall  remove the three things above (your data folder is kept)
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
exe="$here/BriefDesk"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
apps="$data/applications"
icons="$data/icons/hicolor"
bin="$HOME/.local/bin"

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$apps/briefdesk.desktop" "$bin/briefdesk"
    for size in 16 32 64 128 256; do
        rm -f "$icons/${size}x${size}/apps/briefdesk.png"
    done
    rm -f "$icons/scalable/apps/briefdesk.svg"
    echo "BriefDesk's menu entry, icons and command are removed; its data folder is kept."
    exit 0
fi

if [ ! -x "$exe" ]; then
    echo "install.sh: no BriefDesk executable at $exe; run this script from the BriefDesk folder." >&2
    exit 2
fi

# Exec= takes a quoted path: inside the quotes \ " ` $ are escaped with a backslash (and the
# backslash once more, as the file's string escapes come first); % is doubled.
quoted=$(printf '%s' "$exe" | sed -e 's/\\/\\\\\\\\/g' -e 's/["`$]/\\\\&/g' -e 's/%/%%/g')

mkdir -p "$apps" "$bin"
tryexec=$(printf '%s' "$exe" | sed -e 's/\\/\\\\/g')
tmp="$apps/.briefdesk.desktop.$$"
# One group only, so the two keys may go last; printf, not sed, so any path is safe.
{
    grep -v -e '^Exec=' -e '^TryExec=' "$here/briefdesk.desktop"
    printf 'Exec="%s"\n' "$quoted"
    printf 'TryExec=%s\n' "$tryexec"
} > "$tmp"
mv "$tmp" "$apps/briefdesk.desktop"

for size in 16 32 64 128 256; do
    mkdir -p "$icons/${size}x${size}/apps"
    cp "$here/_internal/assets/icons/briefdesk-$size.png" "$icons/${size}x${size}/apps/briefdesk.png"
done
mkdir -p "$icons/scalable/apps"
cp "$here/_internal/assets/icons/briefdesk.svg" "$icons/scalable/apps/briefdesk.svg"

ln -sfn "$exe" "$bin/briefdesk"

command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$icons" || true

printf "BriefDesk is in your applications menu, and 'briefdesk' runs it from a terminal"
case ":$PATH:" in
    *":$bin:"*) echo "." ;;
    *) echo " (add $bin to your PATH for that)." ;;
esac

# The window uses Qt's X11 plugin, which needs helper libraries a plain desktop may not have
# (without them Qt stops with "Could not load the Qt platform plugin xcb"). Say which now.
debian="libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0"
debian="$debian libxcb-randr0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0"
debian="$debian libegl1 libgl1 libfontconfig1 libdbus-1-3"
fedora="xcb-util-cursor xcb-util-wm xcb-util-keysyms xcb-util-image xcb-util-renderutil"
fedora="$fedora libxkbcommon-x11 libglvnd-egl libglvnd-glx fontconfig dbus-libs"
plugin=$(find "$here/_internal" -name libqxcb.so -print 2>/dev/null | head -n 1)
if [ -n "$plugin" ] && command -v ldd >/dev/null 2>&1; then
    missing=$(ldd "$plugin" 2>/dev/null | awk '/=> not found/ {print $1}' | sort -u | tr '\n' ' ')
    if [ -n "$missing" ]; then
        echo "The window needs system libraries that are not installed: $missing"
        echo "Install them (the command line works without them):"
        echo "  Debian/Ubuntu: sudo apt-get install $debian"
        echo "  Fedora:        sudo dnf install $fedora"
    fi
fi
