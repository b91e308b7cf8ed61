#!/usr/bin/env bash
# Regenerates the app icons in icons/ (a white receipt on a deep-indigo rounded square).
# Needs ImageMagick `convert`. Output is forced to PNG32 (RGBA): Tauri refuses other PNGs.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v convert >/dev/null || { echo "make-icons: ImageMagick 'convert' is required" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Drawn at 1024 px and scaled down, so every edge is anti-aliased.
# Background: a top-to-bottom indigo gradient clipped to a rounded square.
convert -size 1024x1024 gradient:'#4338CA-#1E1B4B' -alpha set \
  \( -size 1024x1024 xc:none -fill white -draw 'roundrectangle 48,48 975,975 210,210' \) \
  -compose DstIn -composite "$tmp/bg-smooth.png"

convert "$tmp/bg-smooth.png" \
  -fill 'rgba(10,8,40,0.35)' \
  -draw 'polygon 332,262 732,262 732,822 692,782 652,822 612,782 572,822 532,782 492,822 452,782 412,822 372,782 332,822' \
  -fill white \
  -draw 'polygon 312,232 712,232 712,792 672,752 632,792 592,752 552,792 512,752 472,792 432,752 392,792 352,752 312,792' \
  -fill '#4338CA' \
  -draw 'roundrectangle 372,318 612,348 15,15' \
  -draw 'roundrectangle 372,408 652,430 11,11' \
  -draw 'roundrectangle 372,470 600,492 11,11' \
  -draw 'roundrectangle 372,532 630,554 11,11' \
  -fill '#312E81' \
  -draw 'roundrectangle 492,622 652,660 19,19' \
  "$tmp/icon-1024.png"

convert "$tmp/icon-1024.png" -filter Lanczos -resize 512x512 PNG32:icons/icon.png
convert "$tmp/icon-1024.png" -filter Lanczos -resize 256x256 PNG32:icons/128x128@2x.png
convert "$tmp/icon-1024.png" -filter Lanczos -resize 128x128 PNG32:icons/128x128.png
convert "$tmp/icon-1024.png" -filter Lanczos -resize 32x32 PNG32:icons/32x32.png
file icons/*.png
