# Node 24 (LTS, supported to 2028; inside engines.node) ships npm 11, which honours package.json allowScripts as npm does here.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json nest-cli.json tsconfig.json ./
COPY src ./src
COPY bin ./bin
COPY scripts ./scripts
COPY web ./web
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --ignore-scripts

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production LEDGER_DATA_DIR=/data PORT=3000
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
CMD ["node", "--heap-growing-percent=50", "dist/main.js"]
